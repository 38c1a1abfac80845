package io.imagefarm.hasher.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.resolve.ArchResolution;
import io.imagefarm.hasher.resolve.BookRules;
import io.imagefarm.hasher.resolve.ChangeWaiters;
import io.imagefarm.hasher.resolve.ImageLocks;
import io.imagefarm.hasher.resolve.ImageResolver;
import io.imagefarm.hasher.resolve.IndexAssembler;
import io.imagefarm.hasher.resolve.Publication;
import io.imagefarm.hasher.resolve.Publisher;
import io.imagefarm.hasher.resolve.RepositoryAllowList;
import io.imagefarm.hasher.resolve.RequestDecider;
import io.imagefarm.hasher.resolve.Resolution;
import io.imagefarm.hasher.resolve.StatusBook;
import io.imagefarm.hasher.source.RepositorySource;
import io.imagefarm.hasher.source.SourceUnavailableException;
import io.imagefarm.hasher.source.SourceUrlPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One resolution for concurrent identical questions: each caller checked on its own, the first computes,
 * the others take its answer (as deduplicated where it published). Real resolver and book; the source,
 * the registry and Kafka in memory.
 */
class ResolveServiceTest {

    static final SourceRepository WIDGET = SourceRepository.parse("acme/widget");
    static final String COMMIT = "c".repeat(40);
    static final String REMOTE = "https://github.com/acme/widget.git";
    static final Map<String, String> FILES = Map.of(
            "rust-toolchain.toml", "[toolchain]\nchannel = \"1.83.0\"\n",
            "package.json", "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n",
            ".python-version", "3.12.7\n",
            "pyproject.toml", "[tool.uv]\nrequired-version = \">=0.5.11\"\n",
            ".devcontainer/Dockerfile", "FROM busybox\nRUN echo hi\n");

    final StatusBook book = new StatusBook(new ChangeWaiters(10));
    final List<Publication> published = new CopyOnWriteArrayList<>();
    final AtomicInteger fetches = new AtomicInteger();
    final AtomicInteger lookups = new AtomicInteger();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final java.util.concurrent.ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    /** What the source does on a fetch; by default, the files at once. */
    volatile Supplier<RepositoryFiles> fetch = () -> RepositoryFiles.ofText(FILES);

    @AfterEach
    void stop() {
        retries.shutdownNow();
    }

    ResolveService service() {
        Duration ttl = Duration.ofMinutes(30);
        RequestDecider decider = new RequestDecider(book, new BookRules(book, ttl, Duration.ofHours(1), Duration.ofSeconds(90)),
                Clock.systemUTC());
        // Kafka as the resolver sees it: the publication commits, then its proposals are decided into the book.
        Publisher kafka = p -> {
            published.add(p);
            return CompletableFuture.runAsync(() -> {
                RequestDecider.Batch batch = decider.batch();
                p.requests().forEach(batch::offer);
                batch.applyTo();
            });
        };
        ImageResolver resolver = new ImageResolver(new ImageResolver.Settings("ghcr.io", List.of(Arch.AMD64, Arch.ARM64), ttl,
                Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(10)),
                image -> {
                    lookups.incrementAndGet();
                    return Optional.empty();
                }, book, kafka, new ImageLocks(8), Clock.systemUTC(), Runnable::run);
        IndexAssembler assembler = new IndexAssembler(List.of(Arch.AMD64, Arch.ARM64), image -> Optional.empty(), ref -> Optional.empty(),
                (index, manifest) -> "sha256:" + "0".repeat(64), book, kafka, new ImageLocks(8), Runnable::run, Clock.systemUTC(),
                e -> { }, retries, IndexAssembler.Retry.DEFAULT);
        RepositorySource source = (repository, sourceUrl, commit) -> {
            fetches.incrementAndGet();
            return fetch.get();
        };
        return new ResolveService(new RepositoryAllowList(List.of("acme")), source, resolver, assembler, metrics,
                new SourceUrlPolicy("https://github.com/{repository}.git", List.of("https://github.com/{repository}.git")));
    }

    /** Runs {@code callers} webhooks at once while the fetch is held, until every one but the first waits for it. */
    List<Object> concurrentWebhooks(ResolveService service, int callers) throws Exception {
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fetch = () -> {
            fetching.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RepositoryFiles.ofText(FILES);
        };
        Map<Integer, Object> answers = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    answers.put(n, service.resolveFromWebhook(WIDGET, COMMIT, REMOTE));
                } catch (RuntimeException e) {
                    answers.put(n, e);
                }
            });
            threads.add(t);
            t.start();
            if (i == 0) {
                assertThat(fetching.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        // every other caller waits for the first one's answer (parked), not in a fetch of its own
        await().atMost(Duration.ofSeconds(10)).until(() -> threads.subList(1, callers).stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING));
        release.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        return new ArrayList<>(new java.util.TreeMap<>(answers).values());
    }

    @Test
    void aBurstOfOnePushIsOneFetchOneLookupPerArchAndOneRequestPerArch() throws Exception {
        List<Object> answers = concurrentWebhooks(service(), 20);

        assertThat(answers).hasSize(20).allMatch(a -> a instanceof Resolution);
        assertThat(fetches).hasValue(1);
        assertThat(lookups).hasValue(2);
        assertThat(published.stream().mapToInt(p -> p.requests().size()).sum()).isEqualTo(2);
        List<Resolution> resolutions = answers.stream().map(Resolution.class::cast).toList();
        assertThat(resolutions).extracting(Resolution::versionHash).containsOnly(resolutions.get(0).versionHash());
        for (Arch arch : List.of(Arch.AMD64, Arch.ARM64)) {
            List<ArchResolution> perArch = resolutions.stream()
                    .map(r -> r.arches().stream().filter(a -> a.arch().equals(arch.id())).findFirst().orElseThrow()).toList();
            assertThat(perArch).extracting(ArchResolution::state).containsOnly(BuildState.REQUESTED);
            // exactly one answer says it published the request; every other one was deduplicated against it
            assertThat(perArch).filteredOn(ArchResolution::published).hasSize(1);
            assertThat(perArch).filteredOn(a -> !a.published()).hasSize(19).allMatch(ArchResolution::deduplicated);
        }
        assertThat(metrics.counter("imagefarm.hasher.resolve.shared").count()).isEqualTo(19);
        assertThat(metrics.counter("imagefarm.hasher.dedup.hits").count()).isEqualTo(38);
    }

    @Test
    void theFirstCallersFailureIsEveryWaitingCallersAndTheNextQuestionIsAskedAfresh() throws Exception {
        ResolveService service = service();
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fetch = () -> {
            fetching.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SourceUnavailableException("cannot fetch " + REMOTE + ": connection refused", null);
        };
        List<Object> answers = new CopyOnWriteArrayList<>();
        Runnable call = () -> {
            try {
                answers.add(service.resolveFromWebhook(WIDGET, COMMIT, REMOTE));
            } catch (RuntimeException e) {
                answers.add(e);
            }
        };
        Thread first = new Thread(call);
        first.start();
        assertThat(fetching.await(10, TimeUnit.SECONDS)).isTrue();
        Thread second = new Thread(call);
        second.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> second.getState() == Thread.State.WAITING);
        release.countDown();
        first.join(10_000);
        second.join(10_000);

        assertThat(answers).hasSize(2).allMatch(a -> a instanceof SourceUnavailableException);
        assertThat(fetches).hasValue(1);

        fetch = () -> RepositoryFiles.ofText(FILES);
        assertThat(service.resolveFromWebhook(WIDGET, COMMIT, REMOTE).arches())
                .allMatch(a -> a.published() && Boolean.TRUE.equals(a.pending()));
        assertThat(fetches).hasValue(2);
    }

    @Test
    void callersAreCheckedEachOnTheirOwnWhileAnAnswerIsBeingComputed() throws Exception {
        ResolveService service = service();
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fetch = () -> {
            fetching.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RepositoryFiles.ofText(FILES);
        };
        Thread first = new Thread(() -> service.resolveFromWebhook(WIDGET, COMMIT, REMOTE));
        first.start();
        assertThat(fetching.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            // refused at once, while the same commit is being resolved: neither waits for nor gets its answer
            assertThatThrownBy(() -> service.resolveFromApi(WIDGET, COMMIT, "https://evil.example/acme/widget.git", null))
                    .isInstanceOf(io.imagefarm.hasher.source.InvalidSourceUrlException.class);
            assertThatThrownBy(() -> service.resolveFromWebhook(SourceRepository.parse("evil/widget"), COMMIT, REMOTE))
                    .isInstanceOf(RepositoryNotAllowedException.class);
        } finally {
            release.countDown();
            first.join(10_000);
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void onlyTheSameFilesOfTheSameCommitShareAnAnswer() {
        ResolveService service = service();
        Resolution posted = service.resolveFromApi(WIDGET, COMMIT, null, FILES);
        Map<String, String> other = new HashMap<>(FILES);
        other.put(".devcontainer/Dockerfile", "FROM busybox\nRUN echo other\n");

        Resolution different = service.resolveFromApi(WIDGET, COMMIT, null, other);

        assertThat(different.versionHash()).isNotEqualTo(posted.versionHash());
        assertThat(fetches).hasValue(0);
        assertThat(metrics.counter("imagefarm.hasher.resolve.shared").count()).isZero();
    }
}
