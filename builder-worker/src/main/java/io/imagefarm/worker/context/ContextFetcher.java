package io.imagefarm.worker.context;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.jboss.logging.Logger;

/**
 * Fetches a repository at one commit with JGit and writes the build context to disk, safely.
 *
 * <p>First a shallow fetch of just that commit ({@code want <sha>}, depth 1). Servers only grant a
 * want for a non-advertised SHA when they allow it (GitHub does; a plain git server needs
 * {@code uploadpack.allowReachableSHA1InWant}); when the server refuses, the fetcher falls back to
 * fetching the branches and tags and looks the commit up among them.
 *
 * <p>The files are written from the commit's tree, not checked out: content is counted against
 * {@link ContextLimits#maxBytes()} while writing, symlinks that point out of the context are refused,
 * submodules are skipped, and the Dockerfile must resolve to a regular file inside the context.
 */
public final class ContextFetcher {

    private static final Logger LOG = Logger.getLogger(ContextFetcher.class);
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final String BUILD_REF = "refs/imagefarm/build";

    private final ContextLimits limits;

    public ContextFetcher(ContextLimits limits) {
        this.limits = limits;
    }

    /**
     * @param contextPath    directory of the context, relative to the repository root ({@code .} for the root)
     * @param dockerfilePath the Dockerfile, relative to the context
     * @param workspace      an empty directory owned by this build; the caller deletes it
     */
    public BuildContext fetch(String sourceUrl, String commit, String contextPath, String dockerfilePath, Path workspace) {
        requireAllowedSource(sourceUrl);
        if (commit == null || !SHA.matcher(commit).matches()) {
            throw new InvalidContextException("commit '" + commit + "' is not a full 40-character SHA-1");
        }
        String contextDir = relativePath("context", contextPath);
        String dockerfile = relativePath("dockerfile", dockerfilePath);
        if (dockerfile.isEmpty()) {
            throw new InvalidContextException("dockerfile path is empty");
        }
        Path gitDir = workspace.resolve("git");
        Path root = workspace.resolve("context");
        try (Git git = Git.init().setBare(true).setDirectory(gitDir.toFile()).call()) {
            Repository repo = git.getRepository();
            RevCommit revCommit = fetchCommit(git, sourceUrl, commit);
            Files.createDirectories(root);
            Written written = writeTree(repo, revCommit, contextDir, root, sourceUrl, commit);
            Path dockerfileOnDisk = checkDockerfile(root, dockerfile);
            LOG.debugf("context of %s at %s: %d files, %d bytes", sourceUrl, commit, written.files, written.bytes);
            return new BuildContext(root, dockerfileOnDisk, written.bytes, written.files);
        } catch (GitAPIException e) {
            throw new SourceUnavailableException("cannot fetch " + sourceUrl + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context of " + sourceUrl + " at " + commit, e);
        }
    }

    private void requireAllowedSource(String sourceUrl) {
        if (sourceUrl == null || sourceUrl.isBlank()) {
            throw new InvalidContextException("the event names no sourceUrl to fetch the context from");
        }
        String scheme;
        try {
            scheme = new URI(sourceUrl).getScheme();
        } catch (URISyntaxException e) {
            throw new InvalidContextException("sourceUrl '" + sourceUrl + "' is not a URL: " + e.getMessage());
        }
        if (scheme == null || !limits.allowedSchemes().contains(scheme.toLowerCase(Locale.ROOT))) {
            throw new InvalidContextException("sourceUrl '" + sourceUrl + "': scheme " + scheme
                    + " is not allowed; allowed: " + limits.allowedSchemes());
        }
    }

    private RevCommit fetchCommit(Git git, String sourceUrl, String commit) throws GitAPIException, IOException {
        Repository repo = git.getRepository();
        try {
            git.fetch().setRemote(sourceUrl)
                    .setRefSpecs(new RefSpec("+" + commit + ":" + BUILD_REF))
                    .setDepth(1)
                    .setTagOpt(TagOpt.NO_TAGS)
                    .call();
        } catch (TransportException e) {
            // Servers that only serve advertised tips refuse the want (each in its own words), and so do
            // all servers for an unknown SHA: fetch branches and tags, then look for the commit there.
            // If the remote is down, this second fetch fails too and reports it.
            LOG.infof("%s did not serve %s by SHA (%s); fetching its branches and tags instead", sourceUrl, commit, e.getMessage());
            git.fetch().setRemote(sourceUrl)
                    .setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
                    .setTagOpt(TagOpt.NO_TAGS)
                    .call();
        }
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(ObjectId.fromString(commit));
        } catch (MissingObjectException e) {
            throw new InvalidContextException("commit " + commit + " is not in " + sourceUrl);
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
