package io.imagefarm.worker.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.worker.testing.SourceRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextFetcherTest {

    private static final String DOCKERFILE = ".devcontainer/Dockerfile";

    @TempDir
    Path workspace;

    private final ContextFetcher fetcher = new ContextFetcher(new ContextLimits(1024 * 1024, Set.of("file")));

    @Test
    void fetchesTheEventsCommitEvenWhenItIsNoLongerTheBranchTip() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String first = repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo one\n", "README", "v1"));
            repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN echo two\n", "README", "v2"));

            BuildContext context = fetcher.fetch(repo.url(), first, ".", DOCKERFILE, workspace);

            assertThat(context.dockerfile()).hasContent("FROM base\nRUN echo one\n");
            assertThat(context.root().resolve("README")).hasContent("v1");
            assertThat(context.files()).isEqualTo(2);
        }
    }

    @Test
    void fallsBackToBranchesWhenTheServerRefusesAFetchBySha() {
        try (SourceRepo repo = SourceRepo.create(false)) {
            String first = repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            repo.commit(Map.of(DOCKERFILE, "FROM base\nRUN true\n"));

            BuildContext context = fetcher.fetch(repo.url(), first, ".", DOCKERFILE, workspace);

            assertThat(context.dockerfile()).hasContent("FROM base\n");
        }
    }

    @Test
    void aCommitTheRemoteDoesNotHaveIsAnInvalidContext() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of(DOCKERFILE, "FROM base\n"));
            assertThatThrownBy(() -> fetcher.fetch(repo.url(), "0123456789012345678901234567890123456789", ".", DOCKERFILE, workspace))
                    .isInstanceOfSatisfying(InvalidContextException.class, e -> assertThat(e.retryable()).isFalse())
                    .hasMessageContaining("0123456789012345678901234567890123456789");
        }
    }

    @Test
    void contextsOverTheSizeLimitAreRefused() {
        ContextFetcher small = new ContextFetcher(new ContextLimits(100, Set.of("file")));
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of(DOCKERFILE, "FROM base\n", "big.bin", "x".repeat(200)));
            assertThatThrownBy(() -> small.fetch(repo.url(), sha, ".", DOCKERFILE, workspace))
                    .isInstanceOfSatisfying(ContextTooLargeException.class,
                            e -> assertThat(e.kind()).isEqualTo(FailureKind.CONTEXT_TOO_LARGE))
                    .hasMessageContaining("100 bytes");
        }
    }

    @Test
    void aDockerfilePathWithDotDotIsRefused() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of("ctx/Dockerfile", "FROM base\n", "Dockerfile", "FROM evil\n"));
            assertThatThrownBy(() -> fetcher.fetch(repo.url(), sha, "ctx", "../Dockerfile", workspace))
                    .isInstanceOf(InvalidContextException.class)
                    .hasMessageContaining("..");
        }
    }

    @Test
    void aSymlinkPointingOutOfTheContextIsRefused() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of("README", "x"));
            String sha = repo.commitSymlink(DOCKERFILE, "/etc/passwd");
            assertThatThrownBy(() -> fetcher.fetch(repo.url(), sha, ".", DOCKERFILE, workspace))
                    .isInstanceOf(InvalidContextException.class)
                    .hasMessageContaining("points outside the build context");
        }
    }

    @Test
    void aSymlinkInsideTheContextIsKept() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            repo.commit(Map.of("docker/Dockerfile.real", "FROM base\n"));
            String sha = repo.commitSymlink(DOCKERFILE, "../docker/Dockerfile.real");
            BuildContext context = fetcher.fetch(repo.url(), sha, ".", DOCKERFILE, workspace);
            assertThat(context.dockerfile()).hasContent("FROM base\n");
            assertThat(Files.isSymbolicLink(context.root().resolve(DOCKERFILE))).isTrue();
        }
    }

    @Test
    void onlyTheContextDirectoryIsWritten() {
        try (SourceRepo repo = SourceRepo.create(true)) {
            String sha = repo.commit(Map.of("ctx/Dockerfile", "FROM base\n", "ctx/a.txt", "a", "secret.txt", "s"));
            BuildContext context = fetcher.fetch(repo.url(), sha, "ctx", "Dockerfile", workspace);
            assertThat(context.root().resolve("a.txt")).exists();
            assertThat(context.root().resolve("secret.txt")).doesNotExist();
        }
    }

    @Test
    void sourcesWithSchemesNotAllowedAreRefused() {
        ContextFetcher httpsOnly = new ContextFetcher(new ContextLimits(100, Set.of("https")));
        assertThatThrownBy(() -> httpsOnly.fetch("file:///tmp/x", "0123456789012345678901234567890123456789", ".", "Dockerfile", workspace))
                .isInstanceOf(InvalidContextException.class)
                .hasMessageContaining("not allowed");
    }
}
