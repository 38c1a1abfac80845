package io.imagefarm.worker.context;

import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.git.FetchedCommit;
import io.imagefarm.git.GitFetchException;
import io.imagefarm.git.GitSettings;
import io.imagefarm.git.ShallowFetcher;
import io.imagefarm.git.SourceUrls;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.jboss.logging.Logger;

/**
 * Fetches a repository at one commit and writes the build context to disk, safely.
 *
 * <p>The source URL must pass the {@link SourcePolicy} first. The fetch itself is git-fetch's
 * {@link ShallowFetcher}: depth 1, that commit only, a bounded fallback to a branch or tag at it.
 *
 * <p>The files are written from the commit's tree, not checked out: content is counted against
 * {@link ContextLimits#maxBytes()} while writing, symlinks that point out of the context are refused,
 * submodules are skipped, and the Dockerfile must resolve to a regular file inside the context. The
 * version hash inputs are read from the commit's root tree as the hasher reads them.
 */
public final class ContextFetcher {

    private static final Logger LOG = Logger.getLogger(ContextFetcher.class);
    /** A hash input larger than this is no toolchain file; refusing it bounds what is read into memory. */
    public static final int MAX_HASH_INPUT_BYTES = 1 << 20;

    private final ContextLimits limits;
    private final SourcePolicy policy;
    private final ShallowFetcher git;

    public ContextFetcher(ContextLimits limits, SourcePolicy policy, GitSettings git) {
        this.limits = limits;
        this.policy = policy;
        this.git = new ShallowFetcher(git);
    }

    /** The rules every source URL is checked by, before a fetch and wherever the URL is recorded. */
    public SourcePolicy sourcePolicy() {
        return policy;
    }

    /**
     * @param repository     the event's repository ({@code OWNER/NAME}), for the URL patterns
     * @param contextPath    directory of the context, relative to the repository root ({@code .} for the root)
     * @param dockerfilePath the Dockerfile, relative to the context
     * @param workspace      an empty directory owned by this build; the caller deletes it
     */
    public BuildContext fetch(String sourceUrl, String repository, String commit, String contextPath,
                              String dockerfilePath, Path workspace) {
        policy.check(sourceUrl, repository);
        String shown = SourceUrls.redact(sourceUrl);
        if (!ShallowFetcher.isFullSha(commit)) {
            throw new InvalidContextException("commit '" + commit + "' is not a full 40-character SHA-1");
        }
        String contextDir = relativePath("context", contextPath);
        String dockerfile = relativePath("dockerfile", dockerfilePath);
        if (dockerfile.isEmpty()) {
            throw new InvalidContextException("dockerfile path is empty");
        }
        Path root = workspace.resolve("context");
        try (FetchedCommit fetched = git.fetch(sourceUrl, commit, workspace.resolve("git"))) {
            RepositoryFiles hashInputs = fetched.hashInputs(MAX_HASH_INPUT_BYTES);
            Files.createDirectories(root);
            Written written = writeTree(fetched.repository(), fetched.commit(), contextDir, root, shown, commit);
            Path dockerfileOnDisk = checkDockerfile(root, dockerfile);
            LOG.debugf("context of %s at %s: %d files, %d bytes", shown, commit, written.files, written.bytes);
            return new BuildContext(fetched.commit().name(), hashInputs, root, dockerfileOnDisk, written.bytes, written.files);
        } catch (GitFetchException e) {
            // The hasher found the repository before it published the event: a remote that now says it is
            // not there is as likely a passing outage or a token being rotated as a deletion, so it retries.
            if (e.reason() == GitFetchException.Reason.COMMIT_NOT_FOUND) {
                throw new InvalidContextException(e.getMessage());
            }
            throw new ContextUnavailableException(e.getMessage(), e);
        } catch (InvalidRepositoryFilesException e) {
            throw new InvalidContextException(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context of " + shown + " at " + commit, e);
        }
    }

    private record Written(long bytes, int files) {
    }

    private Written writeTree(Repository repo, RevCommit commit, String contextDir, Path root, String sourceUrl,
                              String sha) throws IOException {
        long bytes = 0;
        int files = 0;
        boolean sawContext = contextDir.isEmpty();
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            if (!contextDir.isEmpty()) {
                walk.setFilter(PathFilter.create(contextDir));
            }
            while (walk.next()) {
                String path = walk.getPathString();
                if (!contextDir.isEmpty()) {
                    if (!path.startsWith(contextDir + "/")) {
                        continue;
                    }
                    path = path.substring(contextDir.length() + 1);
                }
                sawContext = true;
                Path target = root.resolve(path).normalize();
                if (!target.startsWith(root) || target.equals(root)) {
                    throw new InvalidContextException("repository path '" + walk.getPathString() + "' escapes the context");
                }
                FileMode mode = walk.getFileMode(0);
                if (mode == FileMode.GITLINK) {
                    continue; // submodules are not fetched
                }
                ObjectLoader loader = repo.open(walk.getObjectId(0));
                bytes += loader.getSize();
                if (bytes > limits.maxBytes()) {
                    throw new ContextTooLargeException(sourceUrl, sha, limits.maxBytes());
                }
                Files.createDirectories(target.getParent());
                if (mode == FileMode.SYMLINK) {
                    String link = new String(loader.getBytes(), StandardCharsets.UTF_8);
                    Path resolved = target.getParent().resolve(link).normalize();
                    if (Path.of(link).isAbsolute() || !resolved.startsWith(root)) {
                        throw new InvalidContextException("symlink '" + path + "' points outside the build context (" + link + ")");
                    }
                    Files.createSymbolicLink(target, Path.of(link));
                } else {
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        loader.copyTo(out);
                    }
                    if (mode == FileMode.EXECUTABLE_FILE) {
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
                files++;
            }
        }
        if (!sawContext) {
            throw new InvalidContextException("context directory '" + contextDir + "' does not exist at " + sha);
        }
        return new Written(bytes, files);
    }

    private static Path checkDockerfile(Path root, String dockerfile) throws IOException {
        Path candidate = root.resolve(dockerfile).normalize();
        if (!candidate.startsWith(root) || !Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidContextException("Dockerfile '" + dockerfile + "' does not exist in the build context");
        }
        Path real = candidate.toRealPath();
        if (!real.startsWith(root.toRealPath()) || !Files.isRegularFile(real)) {
            throw new InvalidContextException("Dockerfile '" + dockerfile + "' does not resolve to a file inside the build context");
        }
        return real;
    }

    /** A clean relative path: no absolute paths, no {@code ..} segments; {@code .} and empty mean the root. */
    static String relativePath(String what, String path) {
        if (path == null) {
            throw new InvalidContextException(what + " path is missing");
        }
        String p = path.trim().replace('\\', '/');
        if (p.startsWith("/")) {
            throw new InvalidContextException(what + " path '" + path + "' must be relative to the repository");
        }
        StringBuilder clean = new StringBuilder();
        for (String segment : p.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new InvalidContextException(what + " path '" + path + "' leaves the context with '..'");
            }
            clean.append(clean.length() > 0 ? "/" : "").append(segment);
        }
        return clean.toString();
    }
}
