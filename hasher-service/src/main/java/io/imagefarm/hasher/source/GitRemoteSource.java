package io.imagefarm.hasher.source;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.git.FetchedCommit;
import io.imagefarm.git.GitFetchException;
import io.imagefarm.git.GitSettings;
import io.imagefarm.git.ShallowFetcher;

/**
 * Any git remote, through git-fetch's {@link ShallowFetcher} (the same fetch the workers use): exactly
 * the wanted commit at depth 1 into a throw-away bare repository, the five files read from its tree.
 */
public final class GitRemoteSource implements RepositorySource {

    private final ShallowFetcher git;
    private final long maxFileBytes;

    public GitRemoteSource(GitSettings settings, long maxFileBytes) {
        this.git = new ShallowFetcher(settings);
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public RepositoryFiles fetch(SourceRepository repository, String sourceUrl, String commit) {
        if (!ShallowFetcher.isFullSha(commit)) {
            throw new SourceNotFoundException(SourceNotFoundException.What.COMMIT,
                    "commit '" + commit + "' is not a 40-character SHA-1, the only commits git remotes are fetched by");
        }
        try (FetchedCommit fetched = git.fetchTemporary(sourceUrl, commit)) {
            return fetched.hashInputs(maxFileBytes);
        } catch (GitFetchException e) {
            throw switch (e.reason()) {
                case REPOSITORY_NOT_FOUND -> new SourceNotFoundException(SourceNotFoundException.What.REPOSITORY,
                        "repository " + repository + " not found (" + e.getMessage() + ")");
                case COMMIT_NOT_FOUND -> new SourceNotFoundException(SourceNotFoundException.What.COMMIT,
                        "commit " + commit + " not found in " + repository + " (" + e.getMessage() + ")");
                case UNAVAILABLE -> new SourceUnavailableException(e.getMessage(), e);
            };
        }
    }
}
