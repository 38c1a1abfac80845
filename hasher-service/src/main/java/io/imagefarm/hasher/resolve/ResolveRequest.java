package io.imagefarm.hasher.resolve;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import java.util.Objects;
import java.util.regex.Pattern;

/** "Which builder image does this commit need?" with the five hash inputs already in hand. */
public record ResolveRequest(SourceRepository repository, String commit, String sourceUrl, RepositoryFiles files) {

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    public ResolveRequest {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(files, "files");
        requireCommit(commit);
    }

    public static String requireCommit(String commit) {
        if (commit == null || !SHA.matcher(commit).matches()) {
            throw new InvalidCommitException("invalid commit '" + (commit == null ? "" : commit.length() > 64 ? commit.substring(0, 64) + "…" : commit)
                    + "': expected a full 40-hex (or 64-hex) lower-case SHA");
        }
        return commit;
    }
}
