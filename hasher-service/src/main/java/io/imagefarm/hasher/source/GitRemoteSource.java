package io.imagefarm.hasher.source;

import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Any git remote, through JGit: a depth-1 fetch of exactly the wanted commit into a throw-away bare
 * repository (never a clone of history), then the five files read straight from its tree.
 */
public final class GitRemoteSource implements RepositorySource {

    private final Optional<String> token;
    private final Duration timeout;
    private final long maxFileBytes;

    public GitRemoteSource(Optional<String> token, Duration timeout, long maxFileBytes) {
        this.token = token;
        this.timeout = timeout;
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public RepositoryFiles fetch(SourceRepository repository, String sourceUrl, String commit) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("imagefarm-git-");
            try (Git git = Git.init().setBare(true).setDirectory(dir.toFile()).call()) {
                // a throw-away repository: no background auto-gc racing its deletion
                var config = git.getRepository().getConfig();
                config.setInt("gc", null, "auto", 0);
                config.setBoolean("gc", null, "autoDetach", false);
                config.save();
                var fetch = git.fetch()
                        .setRemote(sourceUrl)
                        .setRefSpecs(new RefSpec(commit + ":refs/imagefarm/wanted"))
                        .setDepth(1)
                        .setTimeout((int) Math.max(1, timeout.toSeconds()));
                token.ifPresent(t -> fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
                fetch.call();
                return read(git.getRepository(), commit);
            }
        } catch (GitAPIException | IOException | JGitInternalException e) {
            RuntimeException classified = classify(e, repository, sourceUrl, commit);
            if (classified instanceof SourceUnavailableException && e instanceof TransportException && remoteAnswers(sourceUrl)) {
                // The remote is up and lists its refs, yet would not serve this SHA: servers refuse a
                // want they do not have ("not our ref"; JGit's file transport fails mid-pack instead).
                throw new SourceNotFoundException(SourceNotFoundException.What.COMMIT, "commit " + commit + " not found in " + repository);
            }
            throw classified;
        } finally {
            if (dir != null) {
                deleteRecursively(dir);
            }
        }
    }

    private boolean remoteAnswers(String sourceUrl) {
        try {
            var ls = Git.lsRemoteRepository().setRemote(sourceUrl).setTimeout((int) Math.max(1, timeout.toSeconds()));
            token.ifPresent(t -> ls.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
            ls.call();
            return true;
        } catch (GitAPIException | JGitInternalException e) {
            return false;
        }
    }

    private static RuntimeException classify(Exception e, SourceRepository repository, String sourceUrl, String commit) {
        if (e instanceof InvalidRemoteException || causedBy(e, NoRemoteRepositoryException.class)) {
            return new SourceNotFoundException(SourceNotFoundException.What.REPOSITORY,
                    "repository " + repository + " not found at " + redact(sourceUrl));
        }
        if (causedBy(e, MissingObjectException.class) || (e instanceof TransportException && String.valueOf(e.getMessage()).contains(commit))) {
            return new SourceNotFoundException(SourceNotFoundException.What.COMMIT, "commit " + commit + " not found in " + repository);
        }
        return new SourceUnavailableException("cannot fetch " + repository + " from " + redact(sourceUrl) + ": " + e.getMessage(), e);
    }

    private RepositoryFiles read(Repository repo, String commit) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c;
            try {
                c = walk.parseCommit(ObjectId.fromString(commit));
            } catch (MissingObjectException e) {
                throw new SourceNotFoundException(SourceNotFoundException.What.COMMIT, "commit " + commit + " not found");
            }
            for (String path : HashInputs.ALL) {
                try (TreeWalk tree = TreeWalk.forPath(repo, path, c.getTree())) {
                    if (tree == null) {
                        continue;
                    }
                    ObjectLoader blob = repo.open(tree.getObjectId(0));
                    if (blob.getSize() > maxFileBytes) {
                        throw new InvalidRepositoryFilesException(path, "is " + blob.getSize() + " bytes; the limit is " + maxFileBytes);
                    }
                    files.put(path, blob.getBytes());
                }
            }
        }
        return RepositoryFiles.ofBytes(files);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** URLs may carry credentials (https://user:token@host/...): never let them into messages. */
    static String redact(String url) {
        return url == null ? null : url.replaceAll("//[^/@]+@", "//***@");
    }

    /** Best effort, never throws: cleanup must not turn a good answer into an error. */
    private static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    try {
                        Files.deleteIfExists(d);
                    } catch (java.nio.file.DirectoryNotEmptyException racing) {
                        // something still writes there; the OS temp cleaner takes what is left
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // a leftover temp dir is harmless
        }
    }
}
