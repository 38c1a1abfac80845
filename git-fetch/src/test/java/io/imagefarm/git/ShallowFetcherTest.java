package io.imagefarm.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.testsupport.SourceRepo;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShallowFetcherTest {

    private static final String UNKNOWN = "0123456789012345678901234567890123456789";
    private final ShallowFetcher fetcher = new ShallowFetcher(
            new GitSettings(Optional.empty(), Duration.ofSeconds(5), Duration.ofSeconds(5)));

    @TempDir
    Path work;

    @Test
    void anOlderCommitIsFetchedBySha_withItsHashInputsAndNothingAfterIt() throws IOException {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String old = repo.commit(Map.of(HashInputs.DOCKERFILE, "FROM base\n"));
            String tip = repo.commit(Map.of(HashInputs.DOCKERFILE, "FROM base\nRUN true\n"));

            try (FetchedCommit fetched = fetcher.fetch(repo.url(), old, work.resolve("git"))) {
                assertThat(fetched.commit().name()).isEqualTo(old);
                assertThat(fetched.hashInputs(1024).require(HashInputs.DOCKERFILE)).asString().isEqualTo("FROM base\n");
                assertThat(fetched.hashInputs(1024).get(HashInputs.PACKAGE_JSON)).as("absent stays absent").isEmpty();
                assertThat(fetched.repository().getObjectDatabase().has(ObjectId.fromString(tip)))
                        .as("no history after the commit").isFalse();
            }
        }
    }

    /** Probing found JGit's upload-pack printing a raw stack trace to stderr for each fetch of a missing local commit. */
    @Test
    void aMissingCommitOfALocalRemoteIsOneClassifiedRefusalWithNothingPrintedToStderr() throws IOException {
        try (SourceRepo repo = SourceRepo.create(false)) {
            repo.commit(Map.of(HashInputs.DOCKERFILE, "FROM base\n"));
            java.io.PrintStream stderr = System.err;
            java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            System.setErr(new java.io.PrintStream(printed, true));
            try {
                assertThatThrownBy(() -> fetcher.fetch(repo.url(), UNKNOWN, work.resolve("git-missing")))
                        .isInstanceOfSatisfying(GitFetchException.class,
                                e -> assertThat(e.reason()).isEqualTo(GitFetchException.Reason.COMMIT_NOT_FOUND));
            } finally {
                System.setErr(stderr);
            }
            assertThat(printed.toString()).doesNotContain("Exception");
        }
    }

    @Test
    void aCommitNeitherServedByShaNorATipIsCommitNotFound_andNothingElseIsFetched() throws IOException {
        try (SourceRepo repo = SourceRepo.create(false)) {
            String tip = repo.commit(Map.of(HashInputs.DOCKERFILE, "FROM base\n"));

            assertThatThrownBy(() -> fetcher.fetch(repo.url(), UNKNOWN, work.resolve("git")))
                    .isInstanceOfSatisfying(GitFetchException.class,
                            e -> assertThat(e.reason()).isEqualTo(GitFetchException.Reason.COMMIT_NOT_FOUND))
                    .hasMessageContaining("did not serve commit " + UNKNOWN + " by SHA");
            try (Repository local = Git.open(work.resolve("git").toFile()).getRepository()) {
                assertThat(local.getRefDatabase().getRefs()).as("no branch or tag fetched").isEmpty();
                assertThat(local.getObjectDatabase().has(ObjectId.fromString(tip))).as("no tip fetched").isFalse();
            }
        }
    }

    @Test
    void aRemoteThatDoesNotExistIsRepositoryNotFound() throws IOException {
        String missing = Files.createTempDirectory(work, "gone-").resolve("widget.git").toUri().toString();

        assertThatThrownBy(() -> fetcher.fetch(missing, UNKNOWN, work.resolve("git")))
                .isInstanceOfSatisfying(GitFetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(GitFetchException.Reason.REPOSITORY_NOT_FOUND))
                .hasMessageContaining("no such repository");
    }

    @Test
    void aRemoteThatRefusesConnectionsIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        assertThatThrownBy(() -> fetcher.fetch("http://127.0.0.1:" + closedPort + "/acme/widget.git", UNKNOWN, work.resolve("git")))
                .isInstanceOfSatisfying(GitFetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(GitFetchException.Reason.UNAVAILABLE))
                .hasMessageContaining("cannot fetch http://127.0.0.1:" + closedPort);
    }

    @Test
    void aTemporaryFetchDeletesItsRepositoryOnCloseAndOnFailure() throws IOException {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of(HashInputs.DOCKERFILE, "FROM base\n"));
            List<Path> before = temporaryRepositories();

            Path dir;
            try (FetchedCommit fetched = fetcher.fetchTemporary(repo.url(), sha)) {
                dir = fetched.repository().getDirectory().toPath();
                assertThat(dir).isDirectory();
            }
            assertThat(dir).doesNotExist();

            assertThatThrownBy(() -> fetcher.fetchTemporary(repo.url(), UNKNOWN)).isInstanceOf(GitFetchException.class);
            assertThat(temporaryRepositories()).isEqualTo(before);
        }
    }

    @Test
    void aHashInputOverTheLimitIsRefusedNamingIt() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of(HashInputs.DOCKERFILE, "FROM base\n", HashInputs.RUST_TOOLCHAIN, "x".repeat(100)));

            try (FetchedCommit fetched = fetcher.fetch(repo.url(), sha, work.resolve("git"))) {
                assertThatThrownBy(() -> fetched.hashInputs(50))
                        .isInstanceOfSatisfying(InvalidRepositoryFilesException.class,
                                e -> assertThat(e.file()).isEqualTo(HashInputs.RUST_TOOLCHAIN))
                        .hasMessageContaining("100 bytes");
            }
        }
    }

    @Test
    void aCommitThatIsNoFullShaIsRefusedBeforeAnyRemoteIsAsked() {
        assertThatThrownBy(() -> fetcher.fetch("http://127.0.0.1:1/x.git", "main", work.resolve("git")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40-character");
        assertThat(work.resolve("git")).doesNotExist();
    }

    @Test
    void theBoundedFallbackTakesABranchOverATagAndPeeledTagsCount() {
        ObjectId commit = ObjectId.fromString(UNKNOWN);
        ObjectId tagObject = ObjectId.fromString("89abcdef0123456789abcdef0123456789abcdef");
        ObjectId other = ObjectId.fromString("fedcba9876543210fedcba9876543210fedcba98");
        Ref annotated = new ObjectIdRef.PeeledTag(Ref.Storage.NETWORK, "refs/tags/v1", tagObject, commit);
        Ref branch = new ObjectIdRef.PeeledNonTag(Ref.Storage.NETWORK, "refs/heads/main", commit);
        Ref elsewhere = new ObjectIdRef.PeeledNonTag(Ref.Storage.NETWORK, "refs/heads/dev", other);
        Ref review = new ObjectIdRef.PeeledNonTag(Ref.Storage.NETWORK, "refs/pull/1/head", commit);

        assertThat(ShallowFetcher.refAt(List.of(annotated, elsewhere, branch), commit)).contains("refs/heads/main");
        assertThat(ShallowFetcher.refAt(List.of(annotated, elsewhere), commit)).contains("refs/tags/v1");
        assertThat(ShallowFetcher.refAt(List.of(elsewhere, review), commit)).isEmpty();
    }

    private static List<Path> temporaryRepositories() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("imagefarm-git-")).sorted().toList();
        }
    }
}
