package io.imagefarm.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readiness answers within its bound whatever the registry does, and a frozen registry holds one probe, not one per check. */
class BoundedProbeTest {

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aProbeThatAnswersInTimeGivesItsAnswer() {
        assertThat(new BoundedProbe(() -> true, Duration.ofSeconds(2), pool).check()).isTrue();
        assertThat(new BoundedProbe(() -> false, Duration.ofSeconds(2), pool).check()).isFalse();
        assertThat(new BoundedProbe(() -> {
            throw new IllegalStateException("connection refused");
        }, Duration.ofSeconds(2), pool).check()).isFalse();
    }

    @Test
    void aFrozenRegistryIsDownWithinTheBoundAndHoldsOneProbeAtMost() {
        CountDownLatch frozen = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        BoundedProbe probe = new BoundedProbe(() -> {
            started.incrementAndGet();
            try {
                frozen.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }, Duration.ofMillis(200), pool);

        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            assertThat(probe.check()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(started).hasValue(1);

        frozen.countDown(); // the registry resumes: the probe in flight answers the next check
        assertThat(probe.check()).isTrue();
    }
}
