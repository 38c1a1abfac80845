package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.core.registry.ManifestHead;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.imagefarm.testsupport.SettableClock;
import org.junit.jupiter.api.Test;

/** The decision alone, with in-memory ports: no Quarkus, no Kafka, no registry. */
class ImageResolverTest {

    static final Map<String, String> FILES = Map.of(
            "rust-toolchain.toml", "[toolchain]\nchannel = \"1.83.0\"\n",
            "package.json", "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n",
            ".python-version", "3.12.7\n",
            "pyproject.toml", "[tool.uv]\nrequired-version = \">=0.5.11\"\n",
            ".devcontainer/Dockerfile", "FROM quay.io/pypa/manylinux_2_28_x86_64\nRUN echo hi\n");
    static final String COMMIT = "a".repeat(40);

    final Map<String, ManifestHead> registryContent = new HashMap<>();
    final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    final List<Publication> published = new ArrayList<>();
    /** This replica's clock: the resolver and the book both read it. */
    final SettableClock clock = new SettableClock(Instant.parse("2026-11-28T12:00:00Z"));
    final StatusBook book = new StatusBook(new ChangeWaiters(10), clock);

    static final Duration REGISTRY_DEADLINE = Duration.ofMillis(300);

    /** failure-ttl 1 h and 30 s heartbeats, the defaults */
    static ImageResolver.Settings settings(List<Arch> arches, Duration inFlightTtl) {
        return new ImageResolver.Settings("ghcr.io", arches, inFlightTtl, Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(5),
                REGISTRY_DEADLINE);
    }

    ImageResolver resolver(Duration ttl) {
        RegistryLookup lookup = image -> {
            lookups.incrementAndGet();
            return Optional.ofNullable(registryContent.get(image.toString()));
        };
        return new ImageResolver(settings(List.of(Arch.AMD64, Arch.ARM64), ttl),
                lookup, book, deciding(p -> {
                    published.add(p);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }, ttl), new ImageLocks(8), clock, Runnable::run);
    }

    /**
     * The publisher and the request decider as Kafka chains them: once a publication is committed, its
     * proposals are decided (by the partition's owner, here the same book) and the decisions reach the book.
     */
    Publisher deciding(java.util.function.Function<Publication, java.util.concurrent.CompletableFuture<Void>> commit, Duration ttl) {
        RequestDecider decider = new RequestDecider(book, new BookRules(book, ttl, Duration.ofHours(1), Duration.ofSeconds(90)), clock);
        return p -> commit.apply(p).thenRun(() -> {
            RequestDecider.Batch batch = decider.batch();
            p.requests().forEach(batch::offer);
            batch.applyTo();
        });
    }

    ResolveRequest request() {
        return new ResolveRequest(SourceRepository.parse("acme/widget"), COMMIT, "https://github.com/acme/widget.git", RepositoryFiles.ofText(FILES));
    }

    @Test
    void missingArchesGetOneEventAndARequestedStatusEach() {
        Resolution r = resolver(Duration.ofMinutes(30)).resolve(request());

        assertThat(r.versionHash()).isEqualTo("5ea78654994769b1");
        assertThat(published).singleElement().satisfies(p -> {
            assertThat(p.requests()).extracting(e -> e.image()).containsExactly(
                    "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64", "ghcr.io/acme/widget:builder-5ea78654994769b1-arm64");
            assertThat(p.requests()).extracting(e -> e.cache()).containsExactly(
                    "ghcr.io/acme/widget:buildcache-amd64", "ghcr.io/acme/widget:buildcache-arm64");
            assertThat(p.statuses()).as("the REQUESTED statuses are the decider's; the resolver stamps the index's use")
                    .singleElement().satisfies(index -> {
                        assertThat(index.isIndex()).isTrue();
                        assertThat(index.lastRequestedAt()).isEqualTo(clock.instant());
                    });
        });
        assertThat(r.arches()).allSatisfy(a -> {
            assertThat(a.state()).isEqualTo(BuildState.REQUESTED);
            assertThat(a.published()).as("this request's own proposal won").isTrue();
        });
    }

    static ImageStatus building(String image, Instant workerClock) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, image, "acme/widget", "5ea78654994769b1", "amd64",
                BuildState.BUILDING, null, null, null, null, null, null, null, "e1", null, workerClock);
    }

    @Test
    void aBuildWithHeartbeatsIsLeftAloneAndOneThatMissedThreeIsRequestedAgain() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        book.apply(building(amd, clock.instant()));                          // a worker took it
        clock.advance(Duration.ofSeconds(80));                   // under three 30 s beats since
        assertThat(resolver.resolve(request()).arches().get(0).deduplicated()).isTrue();

        clock.advance(Duration.ofSeconds(11));                   // 91 s: three beats missed
        ArchResolution again = resolver.resolve(request()).arches().get(0);
        assertThat(again.published()).isTrue();
        assertThat(published.get(published.size() - 1).requests()).extracting(e -> e.image()).contains(amd);
    }

    @Test
    void agesAreMeasuredOnThisReplicasClockNotOnTheWorkersSkewedOne() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        // The worker's clock is 10 minutes behind: its BUILDING looks ancient by its updatedAt, but arrived just now.
        book.apply(building(amd, clock.instant().minus(Duration.ofMinutes(10))));
        clock.advance(Duration.ofSeconds(5));

        assertThat(book.get(amd)).map(ImageStatus::state).as("topic order wins, not updatedAt").contains(BuildState.BUILDING);
        assertThat(resolver.resolve(request()).arches().get(0).deduplicated()).isTrue();

        ImageStatus built = new ImageStatus(ImageStatus.SCHEMA_VERSION, amd, "acme/widget", "5ea78654994769b1", "amd64",
                BuildState.BUILT, "sha256:" + "c".repeat(64), null, null, null, null, 1, 1, "e1", null, clock.instant().minus(Duration.ofMinutes(10)));
        book.apply(built);
        assertThat(book.get(amd)).map(ImageStatus::state).as("a late clock does not lose the BUILT").contains(BuildState.BUILT);
    }

    @Test
    void inFlightImageYoungerThanTheTtlPublishesNoSecondEvent() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        clock.advance(Duration.ofMinutes(10));

        Resolution second = resolver.resolve(request());

        assertThat(second.arches()).allMatch(ArchResolution::deduplicated);
        assertThat(published).as("nothing more: in flight, and its use stamped within the usage interval").hasSize(1);
    }

    @Test
    void inFlightImageOlderThanTheTtlIsRequestedAgain() {
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        clock.advance(Duration.ofMinutes(31));

        resolver.resolve(request());

        assertThat(published.get(1).requests()).hasSize(2);
    }

    @Test
    void imageInTheRegistryIsRecordedAsExistsOnceAndThenAnsweredFromMemoryWithoutAStampOrALookup() {
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-amd64", new ManifestHead("sha256:" + "1".repeat(64), "x", 1));
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", new ManifestHead("sha256:" + "2".repeat(64), "x", 1));
        ImageResolver resolver = resolver(Duration.ofMinutes(30));

        Resolution first = resolver.resolve(request());
        int lookupsFirst = lookups.get();
        Resolution second = resolver.resolve(request());

        assertThat(first.arches()).extracting(ArchResolution::state).containsOnly(BuildState.EXISTS);
        assertThat(second.arches()).extracting(ArchResolution::state).containsOnly(BuildState.EXISTS);
        assertThat(second.arches()).extracting(ArchResolution::digest).containsExactly("sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64));
        assertThat(lookupsFirst).isEqualTo(2);
        assertThat(lookups.get()).as("no registry lookup for images the book knows").isEqualTo(2);
        assertThat(published.get(0).requests()).isEmpty();
        assertThat(published.get(0).statuses()).filteredOn(s -> !s.isIndex()).hasSize(2);
        assertThat(published).as("the second resolve writes nothing: its use was stamped within the usage interval").hasSize(1);
    }

    @Test
    void usageIsStampedAgainOnceTheUsageIntervalHasPassed() {
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-amd64", new ManifestHead("sha256:" + "1".repeat(64), "x", 1));
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", new ManifestHead("sha256:" + "2".repeat(64), "x", 1));
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        clock.advance(Duration.ofMinutes(59));
        resolver.resolve(request());
        assertThat(published).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        resolver.resolve(request());

        assertThat(published).hasSize(2);
        assertThat(published.get(1).statuses()).singleElement().satisfies(s -> {
            assertThat(s.isIndex()).isTrue();
            assertThat(s.lastRequestedAt()).isEqualTo(clock.instant());
        });
    }

    @Test
    void concurrentRequestsForOneNewImagePublishOnceAndAllAnswerOnlyAfterItsCommit() throws Exception {
        java.util.concurrent.CompletableFuture<Void> commit = new java.util.concurrent.CompletableFuture<>();
        List<Publication> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        ImageResolver resolver = new ImageResolver(settings(List.of(Arch.AMD64, Arch.ARM64), Duration.ofMinutes(30)),
                image -> Optional.empty(), book, deciding(p -> {
                    submitted.add(p);
                    return commit;
                }, Duration.ofMinutes(30)), new ImageLocks(8), clock, Runnable::run);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(20);
        List<java.util.concurrent.Future<Resolution>> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.add(callers.submit(() -> resolver.resolve(request())));
        }
        org.awaitility.Awaitility.await().until(() -> !submitted.isEmpty());
        assertThat(answers).as("nobody answers before the commit").noneMatch(java.util.concurrent.Future::isDone);

        commit.complete(null);

        long published = 0;
        for (java.util.concurrent.Future<Resolution> answer : answers) {
            published += answer.get(10, java.util.concurrent.TimeUnit.SECONDS).arches().stream().filter(ArchResolution::published).count();
        }
        callers.shutdown();
        assertThat(submitted).as("one publication").hasSize(1);
        assertThat(submitted.get(0).requests()).hasSize(2);
        assertThat(published).as("one event per arch over 50 requests").isEqualTo(2);
    }

    /** Commits at once, and decides only when the test says so (the decider and the status topic, held). */
    final List<Publication> undecidedPublications = new java.util.concurrent.CopyOnWriteArrayList<>();

    ImageResolver heldDecisions(Duration decisionTimeout) {
        return new ImageResolver(new ImageResolver.Settings("ghcr.io", List.of(Arch.AMD64, Arch.ARM64), Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofHours(1), decisionTimeout, REGISTRY_DEADLINE),
                image -> Optional.empty(), book, p -> {
                    undecidedPublications.add(p);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }, new ImageLocks(8), clock, Runnable::run);
    }

    @Test
    void aProposedAnswerComesOnceTheProposalIsDurableWithoutWaitingForItsDecision() {
        ImageResolver resolver = heldDecisions(Duration.ofSeconds(30));

        Resolution r = resolver.resolve(request(), ImageResolver.Until.PROPOSED);

        assertThat(undecidedPublications).singleElement().satisfies(p -> assertThat(p.requests()).hasSize(2));
        assertThat(r.arches()).allSatisfy(a -> {
            assertThat(a.state()).isEqualTo(BuildState.REQUESTED);
            assertThat(a.pending()).as("answered before the decision").isTrue();
            assertThat(a.published()).as("its own proposal").isTrue();
        });
        assertThat(book.get("ghcr.io/acme/widget:builder-5ea78654994769b1-amd64"))
                .as("no decision is in the book yet: the answer did not wait for one").isEmpty();
    }

    @Test
    void aProposalNobodyWaitsForIsForgottenAfterTheDecisionTimeoutSoALaterResolveProposesAgain() {
        ImageResolver resolver = heldDecisions(Duration.ofMillis(200));
        resolver.resolve(request(), ImageResolver.Until.PROPOSED);

        // Held forever, the undecided proposal would make every later resolve wait for it (and time out).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Resolution again = resolver.resolve(request(), ImageResolver.Until.PROPOSED);
            assertThat(again.arches()).allMatch(ArchResolution::published);
        });
        assertThat(undecidedPublications).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aProposedAnswerThatJoinsAConcurrentProposalWaitsForItsCommitAndFailsWithIt() throws Exception {
        java.util.concurrent.CompletableFuture<Void> commit = new java.util.concurrent.CompletableFuture<>();
        List<Publication> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        ImageResolver resolver = new ImageResolver(settings(List.of(Arch.AMD64), Duration.ofMinutes(30)),
                image -> Optional.empty(), book, deciding(p -> {
                    submitted.add(p);
                    return commit;
                }, Duration.ofMinutes(30)), new ImageLocks(8), clock, Runnable::run);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.Future<Resolution> first = callers.submit(() -> resolver.resolve(request()));
        org.awaitility.Awaitility.await().until(() -> !submitted.isEmpty());
        java.util.concurrent.Future<Resolution> webhook = callers.submit(() -> resolver.resolve(request(), ImageResolver.Until.PROPOSED));
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> !webhook.isDone());

        commit.completeExceptionally(new PublishFailedException("broker down", null));

        assertThatThrownBy(() -> webhook.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .as("a proposal that was never committed is no answer").hasCauseInstanceOf(PublishFailedException.class);
        assertThatThrownBy(() -> first.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(PublishFailedException.class);
        callers.shutdown();
        assertThat(submitted).as("the webhook proposed nothing of its own").hasSize(1);
    }

    @Test
    void aFailedCommitFailsTheRequestsThatWaitedForItAndIsTakenBackFromTheBook() throws Exception {
        java.util.concurrent.CompletableFuture<Void> commit = new java.util.concurrent.CompletableFuture<>();
        List<Publication> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        ImageResolver resolver = new ImageResolver(settings(List.of(Arch.AMD64), Duration.ofMinutes(30)),
                image -> Optional.empty(), book, deciding(p -> {
                    submitted.add(p);
                    return commit;
                }, Duration.ofMinutes(30)), new ImageLocks(8), clock, Runnable::run);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.Future<Resolution> first = callers.submit(() -> resolver.resolve(request()));
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        org.awaitility.Awaitility.await().until(() -> !submitted.isEmpty());
        java.util.concurrent.Future<Resolution> second = callers.submit(() -> resolver.resolve(request()));

        commit.completeExceptionally(new PublishFailedException("broker down", null));

        assertThatThrownBy(() -> first.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(PublishFailedException.class);
        assertThatThrownBy(() -> second.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(PublishFailedException.class);
        callers.shutdown();
        assertThat(book.get(amd)).as("nothing was published: no REQUESTED in the book").isEmpty();
    }

    @Test
    void revalidationForgetsAnImageDeletedBehindImagefarmsBackSoTheNextResolveRequestsIt() {
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        registryContent.put(amd, new ManifestHead("sha256:" + "1".repeat(64), "x", 1));
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", new ManifestHead("sha256:" + "2".repeat(64), "x", 1));
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        registryContent.remove(amd);

        assertThat(resolver.revalidate().forgotten()).containsExactly(amd);
        Resolution again = resolver.resolve(request());

        assertThat(again.arches().get(0).published()).isTrue();
        assertThat(again.arches().get(1).published()).isFalse();
    }

    @Test
    void revalidationFindsATagPushedOverPublishesTagMovedAndTheImageIsNeverAnsweredAsAvailable() {
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        registryContent.put(amd, new ManifestHead("sha256:" + "1".repeat(64), "x", 1));
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", new ManifestHead("sha256:" + "2".repeat(64), "x", 1));
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        String pushedOver = "sha256:" + "9".repeat(64);
        registryContent.put(amd, new ManifestHead(pushedOver, "x", 1));
        published.clear();

        ImageResolver.Revalidation found = resolver.revalidate();

        assertThat(found.moved()).containsExactly(amd);
        assertThat(found.forgotten()).isEmpty();
        assertThat(published).singleElement().satisfies(p -> assertThat(p.statuses()).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(BuildState.FAILED);
            assertThat(s.failure()).isEqualTo(io.imagefarm.core.event.FailureKind.TAG_MOVED);
            assertThat(s.digest()).as("the digest found, not served").isEqualTo(pushedOver);
            assertThat(s.reason()).contains(pushedOver, "sha256:" + "1".repeat(64));
        }));
        Resolution again = resolver.resolve(request());
        assertThat(again.arches().get(0).state()).isEqualTo(BuildState.FAILED);
        assertThat(again.arches().get(0).failure()).isEqualTo(io.imagefarm.core.event.FailureKind.TAG_MOVED);
        assertThat(again.arches().get(0).published()).isFalse();
    }

    @Test
    void aRetryOfAMovedTagRebuildsOverTheDigestPushedOverInsteadOfTakingItAsExisting() {
        String amd = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";
        registryContent.put(amd, new ManifestHead("sha256:" + "1".repeat(64), "x", 1));
        registryContent.put("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64", new ManifestHead("sha256:" + "2".repeat(64), "x", 1));
        ImageResolver resolver = resolver(Duration.ofMinutes(30));
        resolver.resolve(request());
        String pushedOver = "sha256:" + "9".repeat(64);
        registryContent.put(amd, new ManifestHead(pushedOver, "x", 1));
        resolver.revalidate();

        assertThat(resolver.forgetFailures(SourceRepository.parse("acme/widget"), new io.imagefarm.core.hash.VersionHash("5ea78654994769b1")))
                .containsExactly("amd64");
        published.clear();
        Resolution rebuilt = resolver.resolve(request());

        assertThat(rebuilt.arches().get(0).published()).isTrue();
        assertThat(rebuilt.arches().get(1).published()).isFalse();
        assertThat(published).flatExtracting(Publication::requests).singleElement()
                .satisfies(e -> assertThat(e.replaces()).as("built over the digest pushed over").isEqualTo(pushedOver));
    }

    @Test
    void invalidFilesPublishNothing() {
        Map<String, String> bad = new HashMap<>(FILES);
        bad.put("pyproject.toml", "[tool.uv");
        ResolveRequest request = new ResolveRequest(SourceRepository.parse("acme/widget"), COMMIT, null, RepositoryFiles.ofText(bad));

        assertThatThrownBy(() -> resolver(Duration.ofMinutes(30)).resolve(request)).isInstanceOf(InvalidRepositoryFilesException.class);
        assertThat(published).isEmpty();
    }

    @Test
    void failedPublicationLeavesTheBookUntouchedSoARetryPublishesAgain() {
        ImageResolver failing = new ImageResolver(settings(List.of(Arch.AMD64), Duration.ofMinutes(30)),
                image -> Optional.empty(), book, p -> {
                    throw new PublishFailedException("broker down", null);
                }, new ImageLocks(8), Clock.systemUTC(), Runnable::run);

        assertThatThrownBy(() -> failing.resolve(request())).isInstanceOf(PublishFailedException.class);
        assertThat(book.get(ImageRef.parse("ghcr.io/acme/widget:builder-5ea78654994769b1-amd64").toString())).isEmpty();
    }

    /** Probing found a resolve held 24 s by a frozen registry (SIGSTOP): the deadline answers it transient at once. */
    @Test
    void aRegistryThatDoesNotAnswerFailsTheResolveTransientlyAtItsDeadlineAndPublishesNothing() {
        java.util.concurrent.CountDownLatch frozen = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService lookupPool = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            ImageResolver resolver = new ImageResolver(settings(List.of(Arch.AMD64, Arch.ARM64), Duration.ofMinutes(30)),
                    image -> {
                        try {
                            frozen.await(); // the registry process is stopped
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return Optional.empty();
                    }, book, p -> {
                        published.add(p);
                        return java.util.concurrent.CompletableFuture.completedFuture(null);
                    }, new ImageLocks(8), clock, lookupPool);

            long start = System.nanoTime();
            assertThatThrownBy(() -> resolver.resolve(request()))
                    .isInstanceOfSatisfying(io.imagefarm.core.registry.RegistryException.class,
                            e -> assertThat(e.isTransient()).as("answered 503 registry-unavailable").isTrue())
                    .hasMessageContaining("imagefarm.hasher.registry-deadline");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REGISTRY_DEADLINE.plusSeconds(2));
            assertThat(published).isEmpty();
        } finally {
            frozen.countDown();
            lookupPool.shutdownNow();
        }
    }
}
