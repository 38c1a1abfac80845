package io.imagefarm.worker.context;

import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.RepositoryFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.jboss.logging.Logger;

/**
 * Fetches a repository at one commit with JGit and writes the build context to disk, safely.
 *
 * <p>The source URL must pass the {@link SourcePolicy} first. Then a shallow fetch of just that
 * commit ({@code want <sha>}, depth 1). Servers only grant a want for a non-advertised SHA when they
 * allow it (GitHub does; a plain git server needs {@code uploadpack.allowReachableSHA1InWant}). When
 * the server refuses, the fallback stays bounded: the remote's branches and tags are listed, and one
 * that points at the commit is fetched at depth 1. Never all branches, never history: a commit that is
 * neither served by SHA nor a tip fails with INVALID_CONTEXT.
 *
 * <p>A configured token goes to the remote as HTTP basic auth credentials, never in the URL; connect
 * and read timeouts bound every remote call.
 *
 * <p>The files are written from the commit's tree, not checked out: content is counted against
 * {@link ContextLimits#maxBytes()} while writing, symlinks that point out of the context are refused,
 * submodules are skipped, and the Dockerfile must resolve to a regular file inside the context. The
 * version hash inputs are read from the commit's root tree as the hasher reads them.
 */
public final class ContextFetcher {

    private static final Logger LOG = Logger.getLogger(ContextFetcher.class);
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final String BUILD_REF = "refs/imagefarm/build";
    /** A hash input larger than this is no toolchain file; refusing it bounds what is read into memory. */
    public static final int MAX_HASH_INPUT_BYTES = 1 << 20;

    private final ContextLimits limits;
    private final SourcePolicy policy;
    private final GitSettings git;
    private final TimeoutHttpConnectionFactory connections;

    public ContextFetcher(ContextLimits limits, SourcePolicy policy, GitSettings git) {
        this.limits = limits;
        this.policy = policy;
        this.git = git;
        this.connections = new TimeoutHttpConnectionFactory(git.connectTimeout(), git.readTimeout());
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
        String shown = SourcePolicy.redact(sourceUrl);
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
        try (Git repo = Git.init().setBare(true).setDirectory(gitDir.toFile()).call()) {
            noBackgroundGc(repo.getRepository());
            RevCommit revCommit = fetchCommit(repo, sourceUrl, shown, commit);
            RepositoryFiles hashInputs = hashInputs(repo.getRepository(), revCommit);
            Files.createDirectories(root);
            Written written = writeTree(repo.getRepository(), revCommit, contextDir, root, shown, commit);
            Path dockerfileOnDisk = checkDockerfile(root, dockerfile);
            LOG.debugf("context of %s at %s: %d files, %d bytes", shown, commit, written.files, written.bytes);
            return new BuildContext(revCommit.name(), hashInputs, root, dockerfileOnDisk, written.bytes, written.files);
        } catch (GitAPIException | JGitInternalException e) {
            throw new ContextUnavailableException("cannot fetch " + shown + ": " + SourcePolicy.redact(e.getMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context of " + shown + " at " + commit, e);
        }
    }

    /** A throw-away repository: no background auto-gc writing into it while the job deletes it. */
    private static void noBackgroundGc(Repository repo) throws IOException {
        StoredConfig config = repo.getConfig();
        config.setInt("gc", null, "auto", 0);
        config.setBoolean("gc", null, "autoDetach", false);
        config.save();
    }

    private RevCommit fetchCommit(Git repo, String sourceUrl, String shown, String commit)
            throws GitAPIException, IOException {
        try {
            remote(repo.fetch().setRemote(sourceUrl)
                    .setRefSpecs(new RefSpec("+" + commit + ":" + BUILD_REF))
                    .setDepth(1)
                    .setTagOpt(TagOpt.NO_TAGS))
                    .call();
        } catch (TransportException e) {
            // Servers that only serve advertised tips refuse the want (each in its own words), and so do
            // all servers for an unknown SHA. The fallback is bounded: a branch or tag at that commit,
            // depth 1. If the remote is down, the listing fails too and says so (transient).
            LOG.infof("%s did not serve %s by SHA (%s); looking for a branch or tag at that commit", shown, commit,
                    SourcePolicy.redact(e.getMessage()));
            String ref = refAt(repo, sourceUrl, commit).orElseThrow(() -> new InvalidContextException(shown
                    + " did not serve commit " + commit + " by SHA and none of its branches or tags points at it; "
                    + "the worker fetches no history (allow uploadpack.allowReachableSHA1InWant on the server)"));
            LOG.infof("fetching %s of %s at depth 1 for %s", ref, shown, commit);
            remote(repo.fetch().setRemote(sourceUrl)
                    .setRefSpecs(new RefSpec("+" + ref + ":" + BUILD_REF))
                    .setDepth(1)
                    .setTagOpt(TagOpt.NO_TAGS))
                    .call();
        }
        try (RevWalk walk = new RevWalk(repo.getRepository())) {
            return walk.parseCommit(ObjectId.fromString(commit));
        } catch (MissingObjectException e) {
            throw new InvalidContextException("commit " + commit + " is not in " + shown);
        }
    }

    /** A branch (preferred) or tag whose tip is {@code commit}, from the remote's advertisement. */
    private Optional<String> refAt(Git repo, String sourceUrl, String commit) throws GitAPIException {
        LsRemoteCommand ls = remote(Git.lsRemoteRepository().setRemote(sourceUrl).setHeads(true).setTags(true));
        return refAt(ls.call(), ObjectId.fromString(commit));
    }

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
        command.setTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, git.readTimeout().toSeconds())));
        command.setTransportConfigCallback(transport -> {
            if (transport instanceof TransportHttp http) {
                http.setHttpConnectionFactory(connections);
            }
        });
        git.token().ifPresent(token -> command.setCredentialsProvider(
                new UsernamePasswordCredentialsProvider(GitSettings.TOKEN_USER, token)));
        return command;
    }

    /** The version hash inputs at the root of {@code commit}, blob bytes as the hasher reads them. */
    private static RepositoryFiles hashInputs(Repository repo, RevCommit commit) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        for (String path : HashInputs.ALL) {
            try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
                if (walk == null || walk.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
                    continue; // absent, a directory or a submodule: missing for the hash
                }
                ObjectLoader blob = repo.open(walk.getObjectId(0));
                if (blob.getSize() > MAX_HASH_INPUT_BYTES) {
                    throw new InvalidContextException(path + " at " + commit.name() + " is " + blob.getSize()
                            + " bytes; a version hash input may have at most " + MAX_HASH_INPUT_BYTES);
                }
                files.put(path, blob.getBytes());
            }
        }
        return RepositoryFiles.ofBytes(files);
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
