package io.imagefarm.git;

import io.imagefarm.core.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The one way the farm fetches a commit: a depth-1 fetch of exactly that SHA into a new bare repository,
 * never a clone of history.
 *
 * <p>Servers only grant a want for a non-advertised SHA when they allow it (GitHub does; a plain git
 * server needs {@code uploadpack.allowReachableSHA1InWant}). When the server refuses, the fallback stays
 * bounded: the remote's branches and tags are listed, and one that points at the commit is fetched at
 * depth 1. Never all branches, never history: a commit that is neither served by SHA nor a tip is
 * {@link GitFetchException.Reason#COMMIT_NOT_FOUND}. If the listing fails too, the remote is down
 * ({@link GitFetchException.Reason#UNAVAILABLE}).
 *
 * <p>A configured token goes to the remote as HTTP basic auth credentials, never in the URL; connect and
 * read timeouts bound every remote call. Callers check the URL against their policy first.
 */
public final class ShallowFetcher {

    private static final System.Logger LOG = System.getLogger(ShallowFetcher.class.getName());
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final String WANTED_REF = "refs/imagefarm/wanted";

    private final GitSettings settings;
    private final TimeoutHttpConnectionFactory connections;

    public ShallowFetcher(GitSettings settings) {
        this.settings = settings;
        this.connections = new TimeoutHttpConnectionFactory(settings.connectTimeout(), settings.readTimeout());
    }

    public static boolean isFullSha(String commit) {
        return commit != null && SHA.matcher(commit).matches();
    }

    /** Into {@code gitDir} (created, and left for the caller to delete with the rest of its workspace). */
    public FetchedCommit fetch(String sourceUrl, String commit, Path gitDir) {
        return fetch(sourceUrl, commit, gitDir, null);
    }

    /** Into a temporary directory that closing the result deletes. */
    public FetchedCommit fetchTemporary(String sourceUrl, String commit) {
        Path dir;
        try {
            dir = Files.createTempDirectory("imagefarm-git-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary git directory", e);
        }
        return fetch(sourceUrl, commit, dir, dir);
    }

    private FetchedCommit fetch(String sourceUrl, String commit, Path gitDir, Path deleteOnFailureOrClose) {
        if (!isFullSha(commit)) {
            throw new IllegalArgumentException("commit '" + commit + "' is not a full 40-character SHA-1");
        }
        String shown = SourceUrls.redact(sourceUrl);
        Git git = null;
        boolean handedOver = false;
        try {
            git = Git.init().setBare(true).setDirectory(gitDir.toFile()).call();
            noBackgroundGc(git.getRepository().getConfig());
            fetchCommit(git, sourceUrl, shown, commit);
            RevCommit revCommit;
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                revCommit = walk.parseCommit(ObjectId.fromString(commit));
            } catch (MissingObjectException e) {
                throw new GitFetchException(GitFetchException.Reason.COMMIT_NOT_FOUND,
                        "commit " + commit + " is not in " + shown, e);
            }
            FetchedCommit fetched = new FetchedCommit(git, revCommit, deleteOnFailureOrClose);
            handedOver = true;
            return fetched;
        } catch (GitAPIException | JGitInternalException e) {
            throw unavailable(shown, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the git directory " + gitDir + " for " + shown, e);
        } finally {
            if (!handedOver) {
                if (git != null) {
                    git.close();
                }
                if (deleteOnFailureOrClose != null) {
                    FileTrees.delete(deleteOnFailureOrClose);
                }
            }
        }
    }

    /** A throw-away repository: no background auto-gc writing into it while it is deleted. */
    private static void noBackgroundGc(StoredConfig config) throws IOException {
        config.setInt("gc", null, "auto", 0);
        config.setBoolean("gc", null, "autoDetach", false);
        config.save();
    }

    private void fetchCommit(Git git, String sourceUrl, String shown, String commit) throws GitAPIException {
        if (localRemoteLacks(sourceUrl, commit)) {
            throw new GitFetchException(GitFetchException.Reason.COMMIT_NOT_FOUND, shown + " did not serve commit " + commit
                    + " by SHA and none of its branches or tags points at it: the repository has no such commit", null);
        }
        try {
            fetchRef(git, sourceUrl, commit);
            return;
        } catch (InvalidRemoteException e) {
            throw notFound(shown, e);
        } catch (TransportException | JGitInternalException e) {
            if (causedBy(e, NoRemoteRepositoryException.class)) {
                throw notFound(shown, e);
            }
            if (e instanceof JGitInternalException && !causedBy(e, MissingObjectException.class)) {
                throw e;
            }
            // Servers that only serve advertised tips refuse the want (each in its own words), and so do
            // all servers for an unknown SHA. If the remote is down, the listing fails too and says so.
            LOG.log(Level.INFO, "{0} did not serve {1} by SHA ({2}); looking for a branch or tag at that commit",
                    shown, commit, SourceUrls.redact(e.getMessage()));
        }
        Collection<Ref> advertised;
        try {
            advertised = remote(Git.lsRemoteRepository().setRemote(sourceUrl).setHeads(true).setTags(true)).call();
        } catch (InvalidRemoteException e) {
            throw notFound(shown, e);
        } catch (TransportException e) {
            throw causedBy(e, NoRemoteRepositoryException.class) ? notFound(shown, e) : unavailable(shown, e);
        }
        String ref = refAt(advertised, ObjectId.fromString(commit)).orElseThrow(() -> new GitFetchException(
                GitFetchException.Reason.COMMIT_NOT_FOUND, shown + " did not serve commit " + commit
                + " by SHA and none of its branches or tags points at it; no history is fetched "
                + "(allow uploadpack.allowReachableSHA1InWant on the server)", null));
        LOG.log(Level.INFO, "fetching {0} of {1} at depth 1 for {2}", ref, shown, commit);
        fetchRef(git, sourceUrl, ref);
    }

    /**
     * Whether a {@code file://} remote is known to lack {@code commit}. Asked before fetching: JGit serves a
     * local remote with an in-process upload-pack whose thread prints the stack trace of a want it cannot
     * serve to stderr (no logger, no level), once per fetch of a missing commit. Any other remote, or one
     * that cannot be opened, is left to the fetch and its own errors.
     */
    private static boolean localRemoteLacks(String sourceUrl, String commit) {
        if (!sourceUrl.regionMatches(true, 0, "file:", 0, 5)) {
            return false;
        }
        try (Git remote = Git.open(Path.of(java.net.URI.create(sourceUrl)).toFile())) {
            return !remote.getRepository().getObjectDatabase().has(ObjectId.fromString(commit));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void fetchRef(Git git, String sourceUrl, String what) throws GitAPIException {
        remote(git.fetch().setRemote(sourceUrl)
                .setRefSpecs(new RefSpec("+" + what + ":" + WANTED_REF))
                .setDepth(1)
                .setTagOpt(TagOpt.NO_TAGS))
                .call();
    }

    /** A branch (preferred) or tag whose tip is {@code commit}, from the remote's advertisement. */
    static Optional<String> refAt(Collection<Ref> advertised, ObjectId commit) {
        return advertised.stream()
                .filter(r -> commit.equals(r.getObjectId()) || commit.equals(r.getPeeledObjectId()))
                .map(Ref::getName)
                .filter(name -> name.startsWith(Constants.R_HEADS) || name.startsWith(Constants.R_TAGS))
                .filter(name -> !name.endsWith("^{}"))
                .min(Comparator.comparing((String name) -> name.startsWith(Constants.R_HEADS) ? 0 : 1)
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** Timeouts and the token for one remote command. */
    private <C extends TransportCommand<C, ?>> C remote(C command) {
        command.setTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.readTimeout().toSeconds())));
        command.setTransportConfigCallback(transport -> {
            if (transport instanceof TransportHttp http) {
                http.setHttpConnectionFactory(connections);
            }
        });
        settings.token().ifPresent(token -> command.setCredentialsProvider(
                new UsernamePasswordCredentialsProvider(GitSettings.TOKEN_USER, token)));
        return command;
    }

    private static GitFetchException notFound(String shown, Exception e) {
        return new GitFetchException(GitFetchException.Reason.REPOSITORY_NOT_FOUND,
                "cannot fetch " + shown + ": no such repository (" + SourceUrls.redact(e.getMessage()) + ")", e);
    }

    private static GitFetchException unavailable(String shown, Exception e) {
        return new GitFetchException(GitFetchException.Reason.UNAVAILABLE,
                "cannot fetch " + shown + ": " + SourceUrls.redact(e.getMessage()), e);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
