package io.imagefarm.hasher.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.imagefarm.testsupport.SettableClock;
import org.junit.jupiter.api.Test;

class SharedFetchSourceTest {

    static final SourceRepository REPO = SourceRepository.parse("acme/widget");
    static final RepositoryFiles FILES = RepositoryFiles.ofText(Map.of(".python-version", "3.12.7\n"));

    final SettableClock clock = new SettableClock(Instant.parse("2026-11-29T10:00:00Z"));
    final AtomicInteger fetches = new AtomicInteger();

    @Test
    void concurrentFetchesOfOneCommitShareOneFetch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SharedFetchSource source = new SharedFetchSource((r, url, commit) -> {
            fetches.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FILES;
        }, Duration.ofMinutes(1), 10, clock);
        ExecutorService callers = Executors.newFixedThreadPool(16);
        List<Future<RepositoryFiles>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            results.add(callers.submit(() -> source.fetch(REPO, "https://github.com/acme/widget.git", "a".repeat(40))));
        }
        await().until(() -> fetches.get() == 1);
        release.countDown();
        for (Future<RepositoryFiles> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isSameAs(FILES);
        }
        callers.shutdown();
        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void aFailedFetchIsNotKeptSoTheNextCallerTriesAgain() {
        AtomicInteger calls = new AtomicInteger();
        SharedFetchSource source = new SharedFetchSource((r, url, commit) -> {
            if (calls.incrementAndGet() == 1) {
                throw new SourceUnavailableException("github is away", null);
            }
            return FILES;
        }, Duration.ofMinutes(1), 10, clock);

        assertThatThrownBy(() -> source.fetch(REPO, "u", "c")).isInstanceOf(SourceUnavailableException.class);
        assertThat(source.fetch(REPO, "u", "c")).isSameAs(FILES);
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void keptFilesExpireAfterTheTtlAndAtMostMaxEntriesCommitsAreKept() {
        SharedFetchSource source = new SharedFetchSource((r, url, commit) -> {
            fetches.incrementAndGet();
            return FILES;
        }, Duration.ofMinutes(1), 3, clock);
        source.fetch(REPO, "u", "c1");
        source.fetch(REPO, "u", "c1");
        assertThat(fetches.get()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        source.fetch(REPO, "u", "c1");
        assertThat(fetches.get()).as("expired").isEqualTo(2);

        for (int i = 0; i < 10; i++) {
            source.fetch(REPO, "u", "other-" + i);
        }
        assertThat(source.size()).isEqualTo(3);
    }

    @Test
    void theSameCommitFromAnotherSourceIsFetchedOnItsOwn() {
        SharedFetchSource source = new SharedFetchSource((r, url, commit) -> {
            fetches.incrementAndGet();
            return FILES;
        }, Duration.ofMinutes(1), 10, clock);
        source.fetch(REPO, "https://github.com/acme/widget.git", "c");
        source.fetch(REPO, "https://mirror.example/acme/widget.git", "c");
        assertThat(fetches.get()).isEqualTo(2);
    }
}
