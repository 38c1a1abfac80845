package io.imagefarm.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Which builds the gate lets run and which it stops (SIGTERM, a partition handed to another worker), and
 * what the worker's beats say, from the gate's state: IDLE, BUILDING the images in flight (one
 * per channel), STOPPING once SIGTERM came, each change heard at once; and the beats on the topic.
 * Plain Java: the gate and the beats are built by hand, the producer is Kafka's MockProducer.
 */
class BuildGateTest {

    static final String A = "127.0.0.1:5000/acme/widget:builder-0123456789abcdef-amd64";
    static final String B = "127.0.0.1:5000/acme/other:builder-fedcba9876543210-amd64";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    final BuildGate gate = new BuildGate(Duration.ofSeconds(5), clock);

    @Test
    void anIdleWorkerIsIdleSinceItStarted() {
        BuildGate.Snapshot s = gate.snapshot();
        assertThat(s.state()).isEqualTo(WorkerBeat.State.IDLE);
        assertThat(s.builds()).isEmpty();
        assertThat(s.since()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
    }

    @Test
    void eachBuildInFlightIsNamedWithItsStartAndTheWorkerIsIdleAgainWhenTheLastEnds() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        gate.onChange(changes::incrementAndGet);
        clock.advance(Duration.ofSeconds(10));
        assertThat(gate.enter(A, null)).isTrue();
        clock.advance(Duration.ofSeconds(3));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread retry = new Thread(() -> {
            gate.enter(B, null); // the retry channel's build, on its own thread
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.exit();
        });
        retry.start();
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        BuildGate.Snapshot both = gate.snapshot();
        assertThat(both.state()).isEqualTo(WorkerBeat.State.BUILDING);
        assertThat(both.since()).as("building since the first build began").isEqualTo(Instant.parse("2026-11-28T12:00:10Z"));
        assertThat(both.builds()).containsExactly(new WorkerBeat.Build(A, Instant.parse("2026-11-28T12:00:10Z")),
                new WorkerBeat.Build(B, Instant.parse("2026-11-28T12:00:13Z")));

        gate.exit(); // A is done
        assertThat(gate.snapshot().builds()).extracting(WorkerBeat.Build::image).containsExactly(B);
        clock.advance(Duration.ofSeconds(4));
        release.countDown();
        retry.join(5000);

        BuildGate.Snapshot idle = gate.snapshot();
        assertThat(idle.state()).isEqualTo(WorkerBeat.State.IDLE);
        assertThat(idle.since()).isEqualTo(Instant.parse("2026-11-28T12:00:17Z"));
        assertThat(changes.get()).as("every enter and exit was heard").isEqualTo(4);
    }

    @Test
    void onSigtermTheWorkerIsStoppingAtOnceWithTheBuildItLetsFinishAndTakesNoNewOne() throws Exception {
        List<BuildGate.Snapshot> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch stoppingHeard = new CountDownLatch(1);
        gate.onChange(() -> {
            BuildGate.Snapshot s = gate.snapshot();
            heard.add(s);
            if (s.state() == WorkerBeat.State.STOPPING) {
                stoppingHeard.countDown();
            }
        });
        Thread build = new Thread(() -> {
            gate.enter(A, null);
            entered.countDown();
            try {
                stoppingHeard.await(); // a build that ends within the grace, after SIGTERM
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.exit();
        });
        build.start();
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(1));

        gate.onShutdown(null);

        assertThat(heard).extracting(BuildGate.Snapshot::state)
                .containsSubsequence(WorkerBeat.State.BUILDING, WorkerBeat.State.STOPPING);
        BuildGate.Snapshot stopping = heard.stream().filter(s -> s.state() == WorkerBeat.State.STOPPING).findFirst().orElseThrow();
        assertThat(stopping.builds()).extracting(WorkerBeat.Build::image).containsExactly(A);
        assertThat(stopping.since()).isEqualTo(Instant.parse("2026-11-28T12:00:01Z"));
        assertThat(gate.snapshot().state()).as("still stopping once the build ended").isEqualTo(WorkerBeat.State.STOPPING);
        assertThat(gate.snapshot().builds()).isEmpty();
        assertThat(gate.enter(B, null)).as("no new build after SIGTERM").isFalse();
        assertThat(gate.abandoned()).isFalse();
    }

    static final String QUEUE = "imagefarm.image-required.amd64";
    static final String RETRY = "imagefarm.image-required.amd64.retry";
    static final TopicPartition Q0 = new TopicPartition(QUEUE, 0);
    static final TopicPartition Q1 = new TopicPartition(QUEUE, 1);
    static final TopicPartition R0 = new TopicPartition(RETRY, 0);

    @Test
    void aBuildWhosePartitionGoesToAnotherWorkerInARebalanceStopsWithoutPublishingAndFreesItsThread() throws Exception {
        gate.owns(Set.of(QUEUE), Set.of(Q0, Q1));
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean abandonedOnItsThread = new AtomicBoolean();
        AtomicReference<String> reason = new AtomicReference<>();
        AtomicBoolean interruptFlagAfterExit = new AtomicBoolean(true);
        Thread build = new Thread(() -> {
            assertThat(gate.enter(A, Q0)).isTrue();
            entered.countDown();
            try {
                new CountDownLatch(1).await(10, TimeUnit.SECONDS); // buildx running
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt(); // as BuildxBuilder does
            }
            abandonedOnItsThread.set(gate.abandoned() && gate.begun());
            reason.set(gate.reason());
            gate.exit();
            interruptFlagAfterExit.set(Thread.currentThread().isInterrupted());
        });
        build.start();
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        gate.owns(Set.of(RETRY), Set.of(R0)); // the retry channel's rebalance: not this build's topic
        gate.owns(Set.of(QUEUE), Set.of(Q0)); // Q1 moved: not this build's partition
        assertThat(gate.snapshot().builds()).extracting(WorkerBeat.Build::image).containsExactly(A);
        assertThat(gate.abandoned()).as("another thread's build is not this thread's").isFalse();

        gate.owns(Set.of(QUEUE), Set.of(Q1)); // Q0 went to another worker, which builds A now
        build.join(5000);

        assertThat(interrupted).as("the build was stopped at once").isTrue();
        assertThat(abandonedOnItsThread).as("the job sees it abandoned, so it publishes nothing").isTrue();
        assertThat(reason.get()).contains("partition went to another worker");
        assertThat(interruptFlagAfterExit).as("the pool thread's next build starts uninterrupted").isFalse();
        assertThat(gate.snapshot().state()).isEqualTo(WorkerBeat.State.IDLE);
        assertThat(gate.begun()).as("the worker itself is not stopping").isFalse();
    }

    @Test
    void aRecordFetchedBeforeItsPartitionMovedIsNotStartedButOneFromAPartitionStillOwnedIs() {
        gate.owns(Set.of(QUEUE), Set.of(Q1));

        assertThat(gate.enter(A, Q0)).as("Q0 is another worker's now").isFalse();
        assertThat(gate.snapshot().state()).isEqualTo(WorkerBeat.State.IDLE);
        assertThat(gate.enter(B, Q1)).isTrue();
        gate.exit();
        assertThat(gate.enter(B, R0)).as("a topic no rebalance has told of yet").isTrue();
        gate.exit();
    }

    @Test
    void aLostSessionStopsTheBuildsOfTheLostPartitions() throws Exception {
        gate.owns(Set.of(QUEUE), Set.of(Q0, Q1));
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread build = new Thread(() -> {
            gate.enter(A, Q1);
            entered.countDown();
            try {
                new CountDownLatch(1).await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(gate.abandoned());
            }
            gate.exit();
        });
        build.start();
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        gate.released(List.of(Q1));
        build.join(5000);

        assertThat(interrupted).isTrue();
        assertThat(gate.enter(B, Q1)).as("nor does a record of it start").isFalse();
        assertThat(gate.enter(B, Q0)).isTrue();
        gate.exit();
    }

    @Test
    void beatsGoToTheWorkersTopicKeyedByInstanceIdAtOnceOnAChangeAndEndWithATombstone() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        WorkerBeats beats = new WorkerBeats("worker-amd64-1", Arch.AMD64, Duration.ofMinutes(1), gate::snapshot, clock, producer);
        gate.onChange(beats::beatSoon);
        beats.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        gate.enter(A, null); // a minute before the next periodic beat: heard at once
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);

        beats.close();

        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsOnly(Topics.WORKERS);
        assertThat(sent).extracting(ProducerRecord::key).containsOnly("worker-amd64-1");
        WorkerBeat idle = EventCodec.decode(sent.get(0).value(), WorkerBeat.class);
        WorkerBeat building = EventCodec.decode(sent.get(1).value(), WorkerBeat.class);
        assertThat(idle.state()).isEqualTo(WorkerBeat.State.IDLE);
        assertThat(idle.arch()).isEqualTo("amd64");
        assertThat(idle.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(building.state()).isEqualTo(WorkerBeat.State.BUILDING);
        assertThat(building.builds()).extracting(WorkerBeat.Build::image).containsExactly(A);
        assertThat(sent.get(sent.size() - 1).value()).as("the last record is a tombstone").isNull();
        assertThat(producer.closed()).isTrue();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
