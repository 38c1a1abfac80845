package io.imagefarm.worker.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.git.GitSettings;
import io.imagefarm.registry.RegistryCredentials;
import io.imagefarm.testsupport.SampleRepository;
import io.imagefarm.testsupport.SourceRepo;
import io.imagefarm.worker.context.ContextFetcher;
import io.imagefarm.worker.context.ContextLimits;
import io.imagefarm.worker.context.SourcePolicy;
import io.imagefarm.worker.testing.TestEvents;
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

/** The job's decisions, with a fake registry and builder; fetching and verifying are real (a file:// repository). */
class BuildJobTest {

    private static final String REGISTRY = "127.0.0.1:5000";
    private static final String DOCKERFILE = "FROM base\n";

    @TempDir
    Path workDir;

    private SourceRepo repo;
    private String commit;
    private VersionInputs inputs;
    private String hash;
    private ImageRef image;
    private final List<ImageStatus> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Duration heartbeat = Duration.ofMinutes(10);
    private final List<String> retries = new ArrayList<>();
    private final FakeRegistry registry = new FakeRegistry();
    private final ScriptedBuilder builder = new ScriptedBuilder();
    private final List<String> housekeeping = new ArrayList<>();

    @BeforeEach
    void repo() {
        repo = SourceRepo.create(true);
        commit = repo.commit(SampleRepository.seedFiles(DOCKERFILE));
        inputs = VersionHasher.inputs(repo.hashInputs(commit));
        hash = VersionHasher.hash(inputs).value();
        image = ImageRef.parse(REGISTRY + "/acme/widget:builder-" + hash + "-amd64");
    }

    @AfterEach
    void close() {
        repo.close();
    }

    private BuildJob job(Duration budget) {
        return job(budget, 8);
    }

    /** Backoffs of 1 s doubling to at most 4 s, within {@code budget}, for at most {@code maxAttempts} attempts. */
    private BuildJob job(Duration budget, int maxAttempts) {
        JobSettings settings = new JobSettings(Arch.AMD64, REGISTRY, Duration.ofMinutes(1),
                new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(4), budget, maxAttempts, 3), true, workDir,
                1000, 40, heartbeat, Map.of(REGISTRY, new RegistryCredentials("ci", "s3cret")),
                JobSettings.builderId(Arch.AMD64, "worker-7"));
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
        ContextFetcher fetcher = new ContextFetcher(new ContextLimits(1 << 20),
                new SourcePolicy(Set.of("file", "https"), List.of("file:///**", "https://github.com/{repository}.git")),
                new GitSettings(Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(10)));
        JobListener listener = new JobListener() {
            @Override
            public void retry(JobSpec job, FailureKind kind, Duration backoff) {
                retries.add(kind + " " + backoff);
            }
        };
        return new BuildJob(settings, registry, fetcher, builder, engine, listener, Clock.systemUTC());
    }

    /** The first attempt, starting now. */
    private static Attempt first() {
        return Attempt.first(Instant.now());
    }

    /** The event the hasher writes for the commit. */
    private JobSpec spec() {
        return JobSpec.of(TestEvents.imageRequired(REGISTRY, "widget", repo, commit, Arch.AMD64), Arch.AMD64);
    }

    private List<BuildState> states() {
        return published.stream().map(ImageStatus::state).toList();
    }

    @Test
    void aLongBuildPublishesBuildingHeartbeatsAndNoneAfterItsFinalStatus() {
        heartbeat = Duration.ofMillis(50);
        builder.outcomes.add(r -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> states().stream().filter(s -> s == BuildState.BUILDING).count() >= 4);
            registry.digest = "sha256:" + "b".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ofSeconds(1), Duration.ZERO, 0, 1);
        });

        JobResult result = job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);
        int statusesAtTheEnd = published.size();

        assertThat(result.state()).isEqualTo(BuildState.BUILT);
        assertThat(states().stream().filter(s -> s == BuildState.BUILDING).count()).isGreaterThanOrEqualTo(4);
        assertThat(states().get(states().size() - 1)).isEqualTo(BuildState.BUILT);
        // for four more beat intervals, nothing follows the final status
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> published.size() == statusesAtTheEnd);
    }

    @Test
    void anImageAlreadyInTheRegistryIsReportedExistsAndNotBuilt() {
        registry.digest = "sha256:" + "a".repeat(64);
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.EXISTS);
        assertThat(states()).containsExactly(BuildState.EXISTS);
        assertThat(published.get(0).digest()).isEqualTo(registry.digest);
        assertThat(builder.requests).isEmpty();
    }

    @Test
    void aTagPushedOverIsBuiltOverWhenTheEventReplacesItsDigestAndOnlyThatDigest() {
        String pushedOver = "sha256:" + "a".repeat(64);
        registry.digest = pushedOver;
        builder.outcomes.add(r -> {
            registry.digest = "sha256:" + "b".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ofSeconds(1), Duration.ZERO, 0, 1);
        });
        JobSpec rebuild = JobSpec.of(TestEvents.replacing(spec().event(), pushedOver), Arch.AMD64);

        JobResult result = job(Duration.ofMinutes(5)).run(rebuild, first(), published::add, () -> false);

        assertThat(result.state()).isEqualTo(BuildState.BUILT);
        assertThat(builder.requests).hasSize(1);
        assertThat(published.get(published.size() - 1).digest()).isEqualTo("sha256:" + "b".repeat(64));

        // a redelivery of the same event finds the rebuilt digest, which it does not replace: EXISTS
        published.clear();
        JobResult again = job(Duration.ofMinutes(5)).run(rebuild, first(), published::add, () -> false);
        assertThat(again.state()).isEqualTo(BuildState.EXISTS);
        assertThat(builder.requests).hasSize(1);
    }

    @Test
    void aPushedBuildIsVerifiedRemovedLocallyAndReportedBuilt() {
        builder.outcomes.add(r -> {
            registry.digest = "sha256:" + "b".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ofSeconds(3), Duration.ofSeconds(1), 2, 3);
        });
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.BUILT);
        ImageStatus built = published.get(1);
        assertThat(built.digest()).isEqualTo("sha256:" + "b".repeat(64));
        assertThat(built.cachedSteps()).isEqualTo(2);
        assertThat(built.totalSteps()).isEqualTo(3);
        assertThat(built.timings().buildMillis()).isEqualTo(3000);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(housekeeping).containsExactly("rm " + image, "prune 1000");
        BuildRequest request = builder.requests.get(0);
        assertThat(request.hostNetwork()).isTrue();
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void theLabelsAndTheBuiltStatusRecordTheVerifiedCommitHashAndInputs() {
        builder.outcomes.add(r -> {
            registry.digest = "sha256:" + "b".repeat(64);
            return new BuildOutcome.Pushed(registry.digest, Duration.ZERO, Duration.ZERO, 0, 1);
        });
        job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);

        assertThat(builder.requests.get(0).labels())
                .containsEntry("org.opencontainers.image.source", repo.url())
                .containsEntry("org.opencontainers.image.revision", commit)
                .containsEntry("io.imagefarm.version-hash", hash)
                .containsEntry("io.imagefarm.version-string", inputs.versionString())
                .containsEntry("io.imagefarm.input.rust-channel", "1.83.0")
                .containsEntry("io.imagefarm.input.node-version", "22.11.0")
                .containsEntry("io.imagefarm.input.dockerfile-hash", inputs.dockerfileHash())
                .containsEntry("io.imagefarm.repository", "acme/widget")
                .allSatisfy((k, v) -> assertThat(v).doesNotContain("s3cret"));
        assertThat(builder.requests.get(0).annotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "org.opencontainers.image.source", repo.url(),
                "org.opencontainers.image.revision", commit,
                "io.imagefarm.version-hash", hash,
                "io.imagefarm.repository", "acme/widget"));
        assertThat(builder.requests.get(0).builderId()).hasToString("urn:imagefarm:builder-worker:amd64:worker-7");
        ImageStatus built = published.get(1);
        assertThat(built.state()).isEqualTo(BuildState.BUILT);
        assertThat(built.commit()).isEqualTo(commit);
        assertThat(built.versionHash()).isEqualTo(hash);
        assertThat(built.inputs()).isEqualTo(inputs);
    }

    @Test
    void anEventWhoseHashItsFilesDoNotGiveFailsWithInputsMismatchAndNothingIsBuilt() {
        String forged = hash.equals("0123456789abcdef") ? "fedcba9876543210" : "0123456789abcdef";
        JobSpec spec = JobSpec.of(TestEvents.claiming(forged, REGISTRY, "widget", repo, commit, Arch.AMD64), Arch.AMD64);

        JobResult result = job(Duration.ofMinutes(5)).run(spec, first(), published::add, () -> false);

        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(result.failure()).isEqualTo(FailureKind.INPUTS_MISMATCH);
        assertThat(result.attempts()).isZero();
        assertThat(builder.requests).as("nothing built, nothing pushed, no cache exported").isEmpty();
        assertThat(retries).as("permanent: no retry").isEmpty();
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.FAILED);
        assertThat(published.get(1).failure()).isEqualTo(FailureKind.INPUTS_MISMATCH);
        assertThat(published.get(1).reason()).contains("the event claims " + forged).contains("hash to " + hash);
        assertThat(housekeeping).isEmpty();
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void anEventForAnotherRegistryFailsWithInputsMismatchBeforeAnyRegistryIsAsked() {
        JobSpec spec = JobSpec.of(TestEvents.imageRequired("registry.example.com", "widget", repo, commit, Arch.AMD64),
                Arch.AMD64);

        JobResult result = job(Duration.ofMinutes(5)).run(spec, first(), published::add, () -> false);

        assertThat(result.failure()).isEqualTo(FailureKind.INPUTS_MISMATCH);
        assertThat(states()).containsExactly(BuildState.FAILED);
        assertThat(published.get(0).reason()).contains("image: expected " + REGISTRY + "/acme/widget:builder-" + hash);
        assertThat(registry.asked).as("the event's registry is never contacted").isZero();
        assertThat(builder.requests).isEmpty();
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void aSourceUrlWithAPasswordIsRefusedAndThePasswordAppearsInNoStatus() {
        JobSpec spec = JobSpec.of(TestEvents.withSourceUrl(spec().event(),
                "https://user:PLANTED-SECRET@github.com/acme/widget.git"), Arch.AMD64);

        JobResult result = job(Duration.ofMinutes(5)).run(spec, first(), published::add, () -> false);

        assertThat(result.failure()).isEqualTo(FailureKind.INVALID_CONTEXT);
        assertThat(published.get(1).reason()).contains("https://***@github.com/acme/widget.git");
        assertThat(published.toString()).doesNotContain("PLANTED-SECRET");
        assertThat(builder.requests).isEmpty();
    }

    @Test
    void theJobFolderIsRemovedEvenWhenTheJobFailsUnexpectedly() {
        builder.outcomes.add(r -> {
            assertThat(r.dockerConfig().resolve("config.json")).exists();
            throw new IllegalStateException("a bug in the builder");
        });

        assertThatThrownBy(() -> job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false))
                .isInstanceOf(IllegalStateException.class);
        assertThat(workDir).isEmptyDirectory();
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
        job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);
        assertThat(builder.requests.get(0).dockerConfig()).doesNotExist();
        assertThat(published.toString()).doesNotContain("s3cret");
    }

    @Test
    void aTransientFailureReturnsRetryLaterWithTheBackoffAndPublishesRequested() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, "connection refused", ""));
        Instant firstAttempt = Instant.now().minusSeconds(10);

        Instant before = Instant.now();
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), new Attempt(3, firstAttempt, 0), published::add, () -> false);

        assertThat(result.retryLater()).isTrue();
        assertThat(result.state()).isEqualTo(BuildState.REQUESTED);
        assertThat(result.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(result.retryBackoff()).as("1 s x 2^(3-1)").isEqualTo(Duration.ofSeconds(4));
        assertThat(result.retryNotBefore()).isBetween(before.plusSeconds(4), Instant.now().plusSeconds(4));
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(builder.requests).as("no second build in place: the job does not wait").hasSize(1);
        assertThat(retries).containsExactly("REGISTRY_UNAVAILABLE PT4S");
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.REQUESTED);
        ImageStatus queued = published.get(1);
        assertThat(queued.image()).isEqualTo(image.toString());
        assertThat(queued.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(queued.reason()).isEqualTo("retry 4 after REGISTRY_UNAVAILABLE: connection refused; not before "
                + result.retryNotBefore());
        assertThat(housekeeping).as("a build ran: the cache is pruned").containsExactly("prune 1000");
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void backoffsDoubleFromTheInitialOneUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(5), 8, 3);

        assertThat(java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(policy::backoff)).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(4),
                Duration.ofSeconds(4), Duration.ofSeconds(4));
        assertThat(policy.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aTransientFailureOfTheLastAllowedAttemptIsFailed() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, "503", ""));

        JobResult result = job(Duration.ofMinutes(5), 4).run(spec(), new Attempt(4, Instant.now(), 0), published::add,
                () -> false);

        assertThat(result.retryLater()).isFalse();
        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(result.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(retries).isEmpty();
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.FAILED);
        assertThat(published.get(1).reason()).isEqualTo("503");
    }

    @Test
    void aTransientFailureWhoseBackoffWouldEndPastTheBudgetIsFailed() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, "503", ""));
        // the budget of 1 min started 58 s ago; attempt 2's backoff of 2 s would end past it
        Attempt second = new Attempt(2, Instant.now().minusSeconds(58), 0);

        JobResult result = job(Duration.ofMinutes(1)).run(spec(), second, published::add, () -> false);

        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(result.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
        assertThat(retries).isEmpty();
        assertThat(states()).containsExactly(BuildState.BUILDING, BuildState.FAILED);
    }

    @Test
    void aTransientFailureBeforeTheBuildIsRetriedLaterToo() {
        // the registry does not answer the EXISTS check: nothing was built, nothing is published but REQUESTED
        registry.failure = new io.imagefarm.core.registry.RegistryException("HEAD " + image + ": 503", 503, null);

        JobResult result = job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);

        assertThat(result.retryLater()).isTrue();
        assertThat(result.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(result.attempts()).isZero();
        assertThat(states()).containsExactly(BuildState.REQUESTED);
        assertThat(housekeeping).as("nothing was built: nothing to prune").isEmpty();
    }

    @Test
    void aRegistryThatRefusesTheWorkersCredentialsIsFailedAtOnceAsAPermanentAuthFailure() {
        registry.failure = new io.imagefarm.core.registry.RegistryException("HEAD " + image + ": 401", 401, "UNAUTHORIZED");

        JobResult result = job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);

        assertThat(result.retryLater()).isFalse();
        assertThat(result.failure()).isEqualTo(FailureKind.REGISTRY_AUTH);
        assertThat(retries).isEmpty();
        assertThat(states()).containsExactly(BuildState.FAILED);
    }

    @Test
    void deterministicFailuresGoStraightToFailedWithTheLogTail() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.BUILD_ERROR, "ERROR: exit code: 3", "step output\nERROR"));
        JobResult result = job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> false);
        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(builder.requests).hasSize(1);
        assertThat(retries).isEmpty();
        ImageStatus failed = published.get(1);
        assertThat(failed.failure()).isEqualTo(FailureKind.BUILD_ERROR);
        assertThat(failed.logTail()).isEqualTo("step output\nERROR");
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void anImageThatAppearedBeforeARetryIsReportedExistsAndNotBuilt() {
        registry.digest = "sha256:" + "e".repeat(64); // someone else pushed it while the retry waited

        JobResult result = job(Duration.ofMinutes(5)).run(spec(), new Attempt(2, Instant.now(), 0), published::add,
                () -> false);

        assertThat(result.state()).isEqualTo(BuildState.EXISTS);
        assertThat(states()).containsExactly(BuildState.EXISTS);
        assertThat(builder.requests).isEmpty();
    }

    @Test
    void anAbandonedJobPublishesNothingMore() {
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, "503", ""));
        boolean[] abandoned = {false};
        builder.afterEach = () -> abandoned[0] = true;
        assertThatThrownBy(() -> job(Duration.ofMinutes(5)).run(spec(), first(), published::add, () -> abandoned[0]))
                .isInstanceOf(BuildAbandonedException.class);
        assertThat(states()).containsExactly(BuildState.BUILDING);
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void aJobHandedOverWhileItsSourceIsFetchedNeverStartsBuildx() {
        // a rebalance gave the partition away just after BUILDING; the fetch's I/O may have eaten the interrupt
        boolean[] handedOver = {false};
        StatusSink sink = status -> {
            published.add(status);
            handedOver[0] |= status.state() == BuildState.BUILDING;
        };

        assertThatThrownBy(() -> job(Duration.ofMinutes(5)).run(spec(), first(), sink, () -> handedOver[0]))
                .isInstanceOf(BuildAbandonedException.class);
        assertThat(builder.requests).as("buildx never ran, so nothing was pushed").isEmpty();
        assertThat(states()).containsExactly(BuildState.BUILDING);
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void aBuildThatFailsOnceShutdownBeganIsNoVerdictAndIsLeftForAnotherWorker() {
        // SIGTERM arrived mid-build (scale-in) and the build died with it: not a permanent BUILD_ERROR
        builder.outcomes.add(r -> new BuildOutcome.Failed(FailureKind.BUILD_ERROR, "ERROR: cut short", "interrupted"));
        boolean[] sigterm = {false};
        builder.afterEach = () -> sigterm[0] = true;
        StopSignal shutdown = new StopSignal() {
            @Override
            public boolean abandoned() {
                return false; // still within the grace
            }

            @Override
            public boolean begun() {
                return sigterm[0];
            }
        };

        assertThatThrownBy(() -> job(Duration.ofMinutes(5)).run(spec(), first(), published::add, shutdown))
                .isInstanceOf(BuildAbandonedException.class);
        assertThat(states()).as("no FAILED: the event goes back uncommitted").containsExactly(BuildState.BUILDING);
        assertThat(workDir).isEmptyDirectory();
    }

    private static final class FakeRegistry implements ImageRegistry {
        volatile String digest;
        volatile int asked;
        volatile RuntimeException failure;

        @Override
        public Optional<String> digestOf(ImageRef image) {
            asked++;
            if (failure != null) {
                throw failure;
            }
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
