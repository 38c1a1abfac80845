package io.imagefarm.worker.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.registry.RegistryCredentials;
import io.imagefarm.worker.context.ContextFetcher;
import io.imagefarm.worker.context.ContextLimits;
import io.imagefarm.worker.testing.SourceRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's decisions, with a fake registry and builder; fetching is real (a file:// repository). */
class BuildJobTest {

    private static final ImageRef IMAGE = ImageRef.parse("127.0.0.1:5000/acme/widget:builder-0123456789abcdef-amd64");

    @TempDir
    Path workDir;

    private SourceRepo repo;
    private String commit;
    private final List<ImageStatus> published = new ArrayList<>();
    private final List<Duration> sleeps = new ArrayList<>();
    private final FakeRegistry registry = new FakeRegistry();
    private final ScriptedBuilder builder = new ScriptedBuilder();
    private final List<String> housekeeping = new ArrayList<>();

    @BeforeEach
    void repo() {
        repo = SourceRepo.create(true);
        commit = repo.commit(Map.of(".devcontainer/Dockerfile", "FROM base\n"));
    }

    @AfterEach
    void close() {
        repo.close();
    }

    private BuildJob job(Duration budget) {
        JobSettings settings = new JobSettings(Arch.AMD64, Duration.ofMinutes(1), budget, Duration.ofSeconds(1),
                Duration.ofSeconds(4), true, workDir, 1000, 40,
                Map.of("127.0.0.1:5000", new RegistryCredentials("ci", "s3cret")));
        LocalImages engine = new LocalImages() {
            @Override
            public void removeLocalImage(ImageRef image) {
                housekeeping.add("rm " + image);
            }

            @Override
            public void pruneBuildCache(long keepBytes) {
                housekeeping.add("prune " + keepBytes);
            }
        };
        return new BuildJob(settings, registry, new ContextFetcher(new ContextLimits(1 << 20, Set.of("file"))), builder,
                engine, JobListener.NONE, Clock.systemUTC(), sleeps::add);
    }

    private JobSpec spec() {
        return JobSpec.of(new ImageRequired(1, "ev-1", "acme/widget", commit, repo.url(), "0123456789abcdef",
                new VersionInputs("1.80", "20", "9", "3.12", "0.4", "abcdef0123456789"), IMAGE.toString(),
                "127.0.0.1:5000/acme/widget:buildcache-amd64", "linux/amd64", ".devcontainer/Dockerfile", ".",
                Instant.now()), Arch.AMD64);
    }

    private List<BuildState> states() {
        return published.stream().map(ImageStatus::state).toList();
    }

    @Test
    void anImageAlreadyInTheRegistryIsReportedExistsAndNotBuilt() {
        registry.digest = "sha256:" + "a".repeat(64);
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.EXISTS);
        assertThat(states()).containsExactly(BuildState.EXISTS);
        assertThat(published.get(0).digest()).isEqualTo(registry.digest);
        assertThat(builder.requests).isEmpty();
    }

    @Test
    void aPushedBuildIsVerifiedRemovedLocallyAndReportedBuilt() {
        builder.outcomes.add(r -> {
            registry.digest = "sha256:" + "b".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ofSeconds(3), Duration.ofSeconds(1), 2, 3);
        });
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), published::add, () -> false);
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.BUILT);
        ImageStatus built = published.get(1);
        assertThat(built.digest()).isEqualTo("sha256:" + "b".repeat(64));
        assertThat(built.cachedSteps()).isEqualTo(2);
        assertThat(built.totalSteps()).isEqualTo(3);
        assertThat(built.timings().buildMillis()).isEqualTo(3000);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(housekeeping).containsExactly("rm " + IMAGE, "prune 1000");
        BuildRequest request = builder.requests.get(0);
        assertThat(request.labels()).containsEntry("org.opencontainers.image.revision", commit)
                .containsEntry("io.imagefarm.version-hash", "0123456789abcdef")
                .containsEntry("io.imagefarm.version-string", "1.80|20|9|3.12|0.4|abcdef0123456789");
        assertThat(request.hostNetwork()).isTrue();
    }

    @Test
    void eachBuildGetsItsOwnPrivateDockerConfigWhichIsDeletedAfterwards() {
        builder.outcomes.add(r -> {
            Path config = r.dockerConfig().resolve("config.json");
            try {
                assertThat(Files.getPosixFilePermissions(config))
                        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                assertThat(Files.readString(config)).contains("127.0.0.1:5000").doesNotContain("s3cret");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            registry.digest = "sha256:" + "c".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ZERO, Duration.ZERO, 0, 1);
        });
        job(Duration.ofMinutes(5)).run(spec(), published::add, () -> false);
        assertThat(builder.requests.get(0).dockerConfig()).doesNotExist();
        assertThat(published.toString()).doesNotContain("s3cret");
    }

    @Test
    void transientFailuresAreRetriedWithExponentialBackoff() {
        BuildOutcome.Failed down = new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, true, "connection refused", "");
        builder.outcomes.add(r -> down);
        builder.outcomes.add(r -> down);
        builder.outcomes.add(r -> {
            registry.digest = "sha256:" + "d".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ZERO, Duration.ZERO, 0, 1);
        });
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.BUILT);
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.BUILT);
    }

    @Test
    void deterministicFailuresGoStraightToFailedWithTheLogTail() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.BUILD_ERROR, false, "ERROR: exit code: 3", "step output\nERROR"));
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(builder.requests).hasSize(1);
        assertThat(sleeps).isEmpty();
        ImageStatus failed = published.get(1);
        assertThat(failed.failure()).isEqualTo(FailureKind.BUILD_ERROR);
        assertThat(failed.logTail()).isEqualTo("step output\nERROR");
    }

    @Test
    void transientFailuresEndAsFailedWhenTheBudgetIsUsedUp() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, true, "503", ""));
        JobResult result = job(Duration.ofMillis(500)).run(spec(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(result.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
    }

    @Test
    void anImageThatAppearedWhileBackingOffIsReportedExists() {
        builder.outcomes.add(r -> {
            registry.digest = "sha256:" + "e".repeat(64); // someone else pushed it meanwhile
            return new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, true, "502", "");
        });
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.EXISTS);
        assertThat(builder.requests).hasSize(1);
    }

    @Test
    void anAbandonedJobPublishesNothingMore() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, true, "503", ""));
        boolean[] abandoned = {false};
        builder.afterEach = () -> abandoned[0] = true;
        assertThatThrownBy(() -> job(Duration.ofMinutes(5)).run(spec(), published::add, () -> abandoned[0]))
                .isInstanceOf(BuildAbandonedException.class);
        assertThat(states()).containsExactly(BuildState.BUILDING);
        assertThat(workDir).isEmptyDirectory();
    }

    private static final class FakeRegistry implements ImageRegistry {
        volatile String digest;

        @Override
        public Optional<String> digestOf(ImageRef image) {
            return Optional.ofNullable(digest);
        }
    }

    private static final class ScriptedBuilder implements Builder {
        final Deque<java.util.function.Function<BuildRequest, BuildOutcome>> outcomes = new ArrayDeque<>();
        final List<BuildRequest> requests = new ArrayList<>();
        Runnable afterEach = () -> { };

        @Override
        public BuildOutcome build(BuildRequest request) {
            requests.add(request);
            var next = outcomes.size() > 1 ? outcomes.poll() : outcomes.peek();
            BuildOutcome outcome = next.apply(request);
            afterEach.run();
            return outcome;
        }
    }
}
