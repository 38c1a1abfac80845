package io.imagefarm.worker.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import io.imagefarm.core.event.ClassifiedFailure;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.git.GitSettings;
import io.imagefarm.testsupport.SampleRepository;
import io.imagefarm.testsupport.SourceRepo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextFetcherTest {

    private static final String DOCKERFILE = ".devcontainer/Dockerfile";
    private static final String REPOSITORY = "acme/widget";
    private static final SourcePolicy FILES = new SourcePolicy(Set.of("file"), List.of("file:///**"));
    /** No token; timeouts fit for file:// remotes. */
    private static final GitSettings ANONYMOUS = new GitSettings(Optional.empty(), Duration.ofSeconds(10),
            Duration.ofSeconds(10));

    @TempDir
    Path workspace;

    private final ContextFetcher fetcher = new ContextFetcher(new ContextLimits(1024 * 1024), FILES, ANONYMOUS);

    private BuildContext fetch(ContextFetcher f, SourceRepo repo, String commit, String context, String dockerfile) {
        return f.fetch(repo.url(), REPOSITORY, commit, context, dockerfile, workspace);
    }

    @Test
    void fetchesTheEventsCommitEvenWhenItIsNoLongerTheBranchTip() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String first = repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo one\n", "README", "v1"));
            repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo two\n", "README", "v2"));

            BuildContext context = fetch(fetcher, repo, first, ".", DOCKERFILE);

            assertThat(context.commit()).isEqualTo(first);
            assertThat(context.dockerfile()).hasContent("FROM base\nRUN echo one\n");
            assertThat(context.root().resolve("README")).hasContent("v1");
            assertThat(context.files()).isEqualTo(2);
        }
    }

    @Test
    void theVersionHashInputsAreReadFromTheCommitsRootEvenWhenTheContextIsASubdirectory() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            Map<String, String> files = new HashMap<>(SampleRepository.seedFiles("FROM base\n"));
            files.put("ctx/Dockerfile", "FROM base\n");
            String sha = repo.commit(files);

            BuildContext context = fetch(fetcher, repo, sha, "ctx", "Dockerfile");

            for (String input : HashInputs.ALL) {
                assertThat(context.hashInputs().get(input)).as(input).contains(files.get(input).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(context.root().resolve("package.json")).doesNotExist();
        }
    }

    @Test
    void anOlderTaggedCommitIsFetchedWithoutTheHistoryAfterIt() throws Exception {
        try (SourceRepo repo = SourceRepo.create(false)) {
            String tagged = repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo tagged\n"));
            try (Git git = Git.open(repo.dir().toFile())) {
                git.tag().setName("v1").setAnnotated(true).setMessage("v1").setObjectId(
                        git.getRepository().parseCommit(ObjectId.fromString(tagged))).call();
            }
            String later = repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo later\n"));

            BuildContext context = fetch(fetcher, repo, tagged, ".", DOCKERFILE);

            assertThat(context.dockerfile()).hasContent("FROM base\nRUN echo tagged\n");
            try (Repository local = Git.open(workspace.resolve("git").toFile()).getRepository()) {
                assertThat(local.getObjectDatabase().has(ObjectId.fromString(later))).as("nothing beyond the tag").isFalse();
            }
        }
    }

    @Test
    void aCommitTheRemoteDoesNotServeFailsWithoutFetchingItsBranchesOrHistory() throws Exception {
        try (SourceRepo repo = SourceRepo.create(false)) {
            repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            String tip = repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN true\n"));
            String unknown = "0123456789012345678901234567890123456789";

            assertThatThrownBy(() -> fetch(fetcher, repo, unknown, ".", DOCKERFILE))
                    .isInstanceOfSatisfying(InvalidContextException.class, e -> assertThat(e.kind()).isEqualTo(FailureKind.INVALID_CONTEXT))
                    .hasMessageContaining("did not serve commit " + unknown + " by SHA")
                    .hasMessageContaining("none of its branches or tags points at it");
            try (Repository local = Git.open(workspace.resolve("git").toFile()).getRepository()) {
                assertThat(local.getRefDatabase().getRefs()).as("no branch or tag fetched").isEmpty();
                assertThat(local.getObjectDatabase().has(ObjectId.fromString(tip))).as("no history fetched").isFalse();
            }
        }
    }

    @Test
    void aServerThatRefusesFetchByShaStillServesTheBranchTip() {
        try (SourceRepo repo = SourceRepo.create(false)) {
            repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            String tip = repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo tip\n"));

            assertThat(fetch(fetcher, repo, tip, ".", DOCKERFILE).dockerfile()).hasContent("FROM base\nRUN echo tip\n");
        }
    }

    @Test
    void aCommitTheRemoteDoesNotHaveIsAnInvalidContext() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            assertThatThrownBy(() -> fetch(fetcher, repo, "0123456789012345678901234567890123456789", ".", DOCKERFILE))
                    .isInstanceOfSatisfying(InvalidContextException.class, e -> assertThat(e.kind()).isEqualTo(FailureKind.INVALID_CONTEXT))
                    .hasMessageContaining("0123456789012345678901234567890123456789");
        }
    }

    @Test
    void contextsOverTheSizeLimitAreRefused() {
        ContextFetcher small = new ContextFetcher(new ContextLimits(100), FILES, ANONYMOUS);
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of(DOCKERFILE, "FROM base\n", "big.bin", "x".repeat(200)));
            assertThatThrownBy(() -> fetch(small, repo, sha, ".", DOCKERFILE))
                    .isInstanceOfSatisfying(ContextTooLargeException.class,
                            e -> assertThat(e.kind()).isEqualTo(FailureKind.CONTEXT_TOO_LARGE))
                    .hasMessageContaining("100 bytes");
        }
    }

    @Test
    void aDockerfilePathWithDotDotIsRefused() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of("ctx/Dockerfile", "FROM base\n", "Dockerfile", "FROM evil\n"));
            assertThatThrownBy(() -> fetch(fetcher, repo, sha, "ctx", "../Dockerfile"))
                    .isInstanceOf(InvalidContextException.class)
                    .hasMessageContaining("..");
        }
    }

    @Test
    void aSymlinkPointingOutOfTheContextIsRefused() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of("README", "x"));
            String sha = repo.commitSymlink(DOCKERFILE, "/etc/passwd");
            assertThatThrownBy(() -> fetch(fetcher, repo, sha, ".", DOCKERFILE))
                    .isInstanceOf(InvalidContextException.class)
                    .hasMessageContaining("points outside the build context");
        }
    }

    @Test
    void aSymlinkInsideTheContextIsKept() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of("docker/Dockerfile.real", "FROM base\n"));
            String sha = repo.commitSymlink(DOCKERFILE, "../docker/Dockerfile.real");
            BuildContext context = fetch(fetcher, repo, sha, ".", DOCKERFILE);
            assertThat(context.dockerfile()).hasContent("FROM base\n");
            assertThat(Files.isSymbolicLink(context.root().resolve(DOCKERFILE))).isTrue();
        }
    }

    @Test
    void onlyTheContextDirectoryIsWritten() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of("ctx/Dockerfile", "FROM base\n", "ctx/a.txt", "a", "secret.txt", "s"));
            BuildContext context = fetch(fetcher, repo, sha, "ctx", "Dockerfile");
            assertThat(context.root().resolve("a.txt")).exists();
            assertThat(context.root().resolve("secret.txt")).doesNotExist();
        }
    }

    @Test
    void sourcesWithSchemesNotAllowedAreRefused() {
        ContextFetcher httpsOnly = new ContextFetcher(new ContextLimits(100),
                new SourcePolicy(Set.of("https"), List.of("https://github.com/{repository}.git")),
                ANONYMOUS);
        assertThatThrownBy(() -> httpsOnly.fetch("file:///tmp/x", REPOSITORY, "0123456789012345678901234567890123456789",
                ".", "Dockerfile", workspace))
                .isInstanceOf(InvalidContextException.class)
                .hasMessageContaining("not allowed");
    }

    @Test
    void sourcesOutsideTheAllowedPatternsAreRefusedBeforeAnythingIsFetched() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            ContextFetcher elsewhere = new ContextFetcher(new ContextLimits(1024),
                    new SourcePolicy(Set.of("file"), List.of("file:///srv/git/{repository}/")),
                    ANONYMOUS);

            assertThatThrownBy(() -> fetch(elsewhere, repo, sha, ".", DOCKERFILE))
                    .isInstanceOf(InvalidContextException.class)
                    .hasMessageContaining("is not allowed for repository acme/widget");
            assertThat(workspace).isEmptyDirectory();
        }
    }

    @Test
    void theTokenGoesAsBasicAuthCredentialsNeverInTheUrl() throws IOException {
        String token = "ghs_" + "t0ken".repeat(4);
        List<String> authorizations = new CopyOnWriteArrayList<>();
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().toString());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
            } else {
                authorizations.add(auth);
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/widget.git";
            ContextFetcher withToken = new ContextFetcher(new ContextLimits(1024),
                    new SourcePolicy(Set.of("http"), List.of("http://127.0.0.1:*/{repository}.git")),
                    new GitSettings(Optional.of(token), Duration.ofSeconds(5), Duration.ofSeconds(5)));

            assertThatThrownBy(() -> withToken.fetch(url, REPOSITORY, "0123456789012345678901234567890123456789", ".",
                    DOCKERFILE, workspace))
                    .isInstanceOf(ClassifiedFailure.class)
                    .hasMessageNotContaining(token);
            assertThat(authorizations).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("Basic "
                    + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8))));
            assertThat(requests).isNotEmpty().noneMatch(r -> r.contains(token));
        } finally {
            server.stop(0);
        }
    }

    /** The hasher saw the repository before it published: a remote that says it is gone now is retried. */
    @Test
    void aRemoteThatIsNotThereFailsAsSourceUnavailable() throws IOException {
        Path missing = Files.createTempDirectory("imagefarm-gone-").resolve("widget.git");

        assertThatThrownBy(() -> fetcher.fetch(missing.toUri().toString(), REPOSITORY,
                "0123456789012345678901234567890123456789", ".", DOCKERFILE, workspace))
                .isInstanceOfSatisfying(ContextUnavailableException.class, e -> assertThat(e.kind()).isEqualTo(FailureKind.SOURCE_UNAVAILABLE))
                .hasMessageContaining("cannot fetch " + missing.toUri() + ": no such repository");
    }

    /**
     * Pins what NonBlockingRetriesIT relies on to fail a job unexpectedly: a file name the file system
     * cannot take is a local I/O failure nothing classifies. Classify it, and that test needs another trigger.
     */
    @Test
    void aFileNameTheFileSystemCannotTakeFailsUnclassified() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            String sha = repo.commitFileWithAnOverlongName();

            assertThatThrownBy(() -> fetch(fetcher, repo, sha, ".", DOCKERFILE))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .isNotInstanceOf(ClassifiedFailure.class)
                    .hasMessageContaining("cannot write the build context")
                    .rootCause().hasMessageContaining("File name too long");
        }
    }

    @Test
    void aRemoteThatStopsAnsweringFailsWithinTheReadTimeoutAsSourceUnavailable() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try {
                release.await(); // accepts the request, never answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/widget.git";
            ContextFetcher impatient = new ContextFetcher(new ContextLimits(1024),
                    new SourcePolicy(Set.of("http"), List.of("http://127.0.0.1:*/{repository}.git")),
                    new GitSettings(Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1)));

            assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(() -> impatient.fetch(url, REPOSITORY, "0123456789012345678901234567890123456789",
                            ".", DOCKERFILE, workspace))
                            .isInstanceOfSatisfying(ContextUnavailableException.class, e -> assertThat(e.kind()).isEqualTo(FailureKind.SOURCE_UNAVAILABLE))
                            .hasMessageContaining("time out"));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }
}
