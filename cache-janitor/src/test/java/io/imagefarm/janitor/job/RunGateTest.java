package io.imagefarm.janitor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RunGateTest {

    @Test
    void aScheduledRunThatFindsOneInProgressSkipsAndAManualOneIsRefused() throws Exception {
        RunGate gate = new RunGate(() -> true);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> gate.runOrSkip(() -> {
            started.countDown();
            await(release);
            return "first";
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(gate.runOrSkip(() -> "second")).isEmpty();
        assertThatThrownBy(() -> gate.runOrRefuse(() -> "manual"))
                .isInstanceOfSatisfying(RunGate.RunRefusedException.class,
                        e -> assertThat(e.refusal()).isEqualTo(RunGate.Refusal.RUN_IN_PROGRESS));

        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).contains("first");
        assertThat(gate.runOrSkip(() -> "third")).contains("third");
    }

    @Test
    void aReplicaWithoutTheLeaseDoesNotRun() {
        AtomicBoolean leader = new AtomicBoolean(false);
        RunGate gate = new RunGate(leader::get);

        assertThat(gate.runOrSkip(() -> "run")).isEmpty();
        assertThatThrownBy(() -> gate.runOrRefuse(() -> "run"))
                .isInstanceOfSatisfying(RunGate.RunRefusedException.class,
                        e -> assertThat(e.refusal()).isEqualTo(RunGate.Refusal.NOT_LEADER));
        leader.set(true);
        assertThat(gate.runOrSkip(() -> "run")).contains("run");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
