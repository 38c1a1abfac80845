package io.imagefarm.testsupport;

import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.RepositoryFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** A real git repository on disk, built with JGit (no git CLI), reached through a file:// URL. */
public final class SourceRepo implements AutoCloseable {

    private final Path dir;
    private final Git git;

    private SourceRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    /**
     * @param allowShaWants whether the repository serves a fetch of any reachable commit by SHA, as
     *                      GitHub does ({@code uploadpack.allowReachableSHA1InWant}). JGit's own server, which
     *                      serves file:// URLs in-process, grants a reachable want either way.
     */
    public static SourceRepo create(boolean allowShaWants) {
        try {
            Path dir = Files.createTempDirectory("imagefarm-source-");
            Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
            StoredConfig config = git.getRepository().getConfig();
            config.setBoolean("uploadpack", null, "allowReachableSHA1InWant", allowShaWants);
            config.save();
            return new SourceRepo(dir, git);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return dir.toUri().toString();
    }

    public Path dir() {
        return dir;
    }

    /** Writes the files (path relative to the repository → content) and commits them; returns the SHA. */
    public String commit(Map<String, String> files) {
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            git.add().addFilepattern(".").call();
            RevCommit c = git.commit().setMessage("commit").setAuthor("ci", "ci@example.com")
                    .setCommitter("ci", "ci@example.com").call();
            return c.getName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The version hash inputs at the root of {@code commit}, as git holds them. */
    public RepositoryFiles hashInputs(String commit) {
        var repo = git.getRepository();
        Map<String, byte[]> files = new HashMap<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
            for (String path : HashInputs.ALL) {
                try (TreeWalk tree = TreeWalk.forPath(repo, path, c.getTree())) {
                    if (tree != null) {
                        files.put(path, repo.open(tree.getObjectId(0)).getBytes());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RepositoryFiles.ofBytes(files);
    }

    /**
     * Commits, on top of HEAD, a file whose name no Linux file system takes (300 bytes; NAME_MAX is 255).
     * Git holds it fine, so a fetch succeeds and only writing the context fails. Built in git's object
     * store directly: the working tree could not hold the file either.
     */
    public String commitFileWithAnOverlongName() {
        Repository repo = git.getRepository();
        try (ObjectInserter inserter = repo.newObjectInserter(); ObjectReader reader = repo.newObjectReader();
             RevWalk walk = new RevWalk(repo)) {
            RevCommit parent = walk.parseCommit(repo.resolve(Constants.HEAD));
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
            DirCacheEntry entry = new DirCacheEntry("n".repeat(300) + ".txt");
            entry.setFileMode(FileMode.REGULAR_FILE);
            entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, "too long a name\n".getBytes(StandardCharsets.UTF_8)));
            builder.add(entry);
            builder.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            commit.setParentId(parent);
            PersonIdent ci = new PersonIdent("ci", "ci@example.com");
            commit.setAuthor(ci);
            commit.setCommitter(ci);
            commit.setMessage("a file name too long for any file system");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef(Constants.HEAD);
            update.setNewObjectId(id);
            update.setExpectedOldObjectId(parent);
            RefUpdate.Result result = update.update();
            if (result != RefUpdate.Result.FAST_FORWARD && result != RefUpdate.Result.NEW) {
                throw new IllegalStateException("cannot move HEAD to " + id.name() + ": " + result);
            }
            return id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a symlink and commits it. */
    public String commitSymlink(String path, String target) {
        try {
            Path p = dir.resolve(path);
            Files.createDirectories(p.getParent());
            Files.createSymbolicLink(p, Path.of(target));
            git.add().addFilepattern(".").call();
            return git.commit().setMessage("link").setAuthor("ci", "ci@example.com")
                    .setCommitter("ci", "ci@example.com").call().getName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        git.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
