package io.imagefarm.git;

import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * One commit in a throw-away bare repository, read from its tree (never checked out). Closing it
 * closes the repository, and deletes it when the fetcher made it.
 */
public final class FetchedCommit implements AutoCloseable {

    private final Git git;
    private final RevCommit commit;
    private final Path deleteOnClose;

    FetchedCommit(Git git, RevCommit commit, Path deleteOnClose) {
        this.git = git;
        this.commit = commit;
        this.deleteOnClose = deleteOnClose;
    }

    public Repository repository() {
        return git.getRepository();
    }

    public RevCommit commit() {
        return commit;
    }

    /**
     * The version hash inputs at the commit's root, blob bytes as they are. An absent path, a directory
     * or a submodule counts as missing; a blob over {@code maxFileBytes} is refused before it is read.
     */
    public RepositoryFiles hashInputs(long maxFileBytes) {
        Repository repo = repository();
        Map<String, byte[]> files = new HashMap<>();
        try {
            for (String path : HashInputs.ALL) {
                try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
                    if (walk == null || walk.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
                        continue;
                    }
                    ObjectLoader blob = repo.open(walk.getObjectId(0));
                    if (blob.getSize() > maxFileBytes) {
                        throw new InvalidRepositoryFilesException(path, "is " + blob.getSize() + " bytes at "
                                + commit.name() + "; a version hash input may have at most " + maxFileBytes);
                    }
                    files.put(path, blob.getBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hash inputs of " + commit.name(), e);
        }
        return RepositoryFiles.ofBytes(files);
    }

    @Override
    public void close() {
        git.close();
        if (deleteOnClose != null) {
            FileTrees.delete(deleteOnClose); // a leftover temp repository holds no secret: best effort
        }
    }
}
