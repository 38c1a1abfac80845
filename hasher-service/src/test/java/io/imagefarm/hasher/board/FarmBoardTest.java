package io.imagefarm.hasher.board;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The farm view's rules, without Kafka: a worker is alive while its last beat, timed on this replica's
 * clock from when it was taken in, is younger than three of its intervals; a queue's lag is the sum of
 * what its group has not committed; a broker is in sync when it is up and in every ISR it replicates.
 */
class FarmBoardTest {

    static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    static final List<Arch> BOTH = List.of(Arch.AMD64, Arch.ARM64);
    static final String IMAGE = "127.0.0.1:5000/acme/widget:builder-0123456789abcdef-amd64";
    static final String OTHER = "127.0.0.1:5000/octo/secret:builder-fedcba9876543210-amd64";

    final FarmBoard farm = new FarmBoard();

    static WorkerBeat idle(String id, Arch arch, Duration interval) {
        return WorkerBeat.of(id, arch, WorkerBeat.State.IDLE, List.of(), T0, interval, T0);
    }

    static WorkerBeat building(String id, String... images) {
        return WorkerBeat.of(id, Arch.AMD64, WorkerBeat.State.BUILDING,
                java.util.Arrays.stream(images).map(i -> new WorkerBeat.Build(i, T0)).toList(), T0, Duration.ofSeconds(5),
                // the worker's own clock is an hour off: it is shown, never used for ages
                T0.minus(Duration.ofHours(1)));
    }

    FarmBoard.WorkerRow row(String id, Instant now) {
        return farm.view(BOTH, r -> true, now).workers().stream().filter(w -> w.instanceId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aWorkerIsAliveUntilThreeOfItsIntervalsPassWithoutABeatTimedFromWhenItWasTakenIn() {
        farm.onBeat(idle("worker-amd64-1", Arch.AMD64, Duration.ofSeconds(5)), T0);

        assertThat(row("worker-amd64-1", T0.plusSeconds(14)).alive()).isTrue();
        assertThat(row("worker-amd64-1", T0.plusSeconds(15)).alive()).as("three intervals without a beat").isFalse();
        assertThat(row("worker-amd64-1", T0.plusSeconds(15)).lastBeat()).isEqualTo(Duration.ofSeconds(15));

        farm.onBeat(idle("worker-amd64-1", Arch.AMD64, Duration.ofSeconds(5)), T0.plusSeconds(20));
        assertThat(row("worker-amd64-1", T0.plusSeconds(21)).alive()).as("it beat again").isTrue();
    }

    @Test
    void eachWorkerIsJudgedByTheIntervalItAnnounces() {
        farm.onBeat(idle("slow", Arch.ARM64, Duration.ofMinutes(1)), T0);
        farm.onBeat(idle("quick", Arch.ARM64, Duration.ofSeconds(1)), T0);

        assertThat(row("slow", T0.plusSeconds(60)).alive()).isTrue();
        assertThat(row("quick", T0.plusSeconds(60)).alive()).isFalse();
    }

    @Test
    void aStoppedWorkerLeavesWithItsTombstoneAndASilentOneIsForgottenAfterAnHour() {
        farm.onBeat(idle("stopped", Arch.AMD64, Duration.ofSeconds(5)), T0);
        farm.onBeat(idle("killed", Arch.AMD64, Duration.ofSeconds(5)), T0);
        farm.onLeft("stopped");

        assertThat(farm.view(BOTH, r -> true, T0.plusSeconds(30)).workers()).extracting(FarmBoard.WorkerRow::instanceId)
                .containsExactly("killed");
        assertThat(farm.view(BOTH, r -> true, T0.plus(FarmBoard.FORGET_DEAD_AFTER).plusSeconds(1)).workers()).isEmpty();
    }

    @Test
    void theWorkersAreBoundedTheLongestSilentOutFirst() {
        for (int i = 0; i <= FarmBoard.MAX_WORKERS; i++) {
            farm.onBeat(idle("w-" + i, Arch.AMD64, Duration.ofSeconds(5)), T0.plusMillis(i));
        }
        farm.onBeat(idle("w-1", Arch.AMD64, Duration.ofSeconds(5)), T0.plusSeconds(10)); // beats again: kept

        assertThat(farm.workerCount()).isEqualTo(FarmBoard.MAX_WORKERS);
        assertThat(farm.view(BOTH, r -> true, T0.plusSeconds(11)).workers()).extracting(FarmBoard.WorkerRow::instanceId)
                .doesNotContain("w-0").contains("w-1", "w-" + FarmBoard.MAX_WORKERS);
    }

    @Test
    void whatAWorkerBuildsIsShownOnlyToWhoMayReadItsRepository() {
        farm.onBeat(building("worker-amd64-1", IMAGE, OTHER), T0);

        FarmBoard.WorkerRow seen = farm.view(BOTH, "acme/widget"::equalsIgnoreCase, T0).workers().get(0);
        assertThat(seen.state()).isEqualTo("BUILDING");
        assertThat(seen.builds()).extracting(FarmBoard.BuildRow::image).containsExactly(IMAGE, null);
        assertThat(seen.builds().get(1).hidden()).isTrue();
        assertThat(seen.since()).as("the worker's own since, shown as it said").isEqualTo(T0);
    }

    @Test
    void theRecordsNotDoneBeginAtTheCommittedOffsetButNeverBeforeTheLogStart() {
        assertThat(QueueLag.from(0, Map.of(0, 2L), Map.of(0, 5L))).isEqualTo(5);
        assertThat(QueueLag.from(0, Map.of(0, 2L), Map.of())).as("never committed").isEqualTo(2);
        assertThat(QueueLag.from(0, Map.of(0, 9L), Map.of(0, 5L))).as("retention overtook the commit").isEqualTo(9);
    }

    @Test
    void aQueuesLagIsWhatItsGroupHasNotCommittedOverEveryPartition() {
        // partition 0: committed 7 of 10; 1: never committed, log starts at 2 (5 - 2); 2: commit behind the log start (9 - 4)
        long lag = QueueLag.sum(Map.of(0, 10L, 1, 5L, 2, 9L), Map.of(0, 0L, 1, 2L, 2, 4L), Map.of(0, 7L, 2, 1L));
        assertThat(lag).isEqualTo(3 + 3 + 5);
        assertThat(QueueLag.sum(Map.of(0, 4L), Map.of(0, 0L), Map.of(0, 4L))).as("all committed").isZero();
        assertThat(QueueLag.sum(Map.of(), Map.of(), Map.of())).isZero();
    }

    @Test
    void eachArchsQueueRowCountsItsLiveWorkersBuildsAndWhatWaitsBeyondThem() {
        farm.onBeat(building("worker-amd64-1", IMAGE), T0);
        farm.onBeat(idle("worker-amd64-2", Arch.AMD64, Duration.ofSeconds(5)), T0);
        farm.onBeat(idle("worker-riscv64-1", Arch.RISCV64, Duration.ofSeconds(5)), T0.minusSeconds(60)); // silent
        // 6 offsets behind on the queue (transaction markers included), 1 on the retry topic; 4 events counted
        farm.onQueue(new QueueLag(Arch.AMD64, 6L, 1L, 4L, null, T0));
        farm.onQueue(QueueLag.unknown(Arch.ARM64, "no work queue", T0));

        List<FarmBoard.QueueRow> queues = farm.view(List.of(Arch.AMD64, Arch.ARM64), r -> true, T0.plusSeconds(2)).queues();

        assertThat(queues).extracting(FarmBoard.QueueRow::arch).containsExactly("amd64", "arm64", "riscv64");
        FarmBoard.QueueRow amd64 = queues.get(0);
        assertThat(amd64.lag()).isEqualTo(6);
        assertThat(amd64.retryLag()).isEqualTo(1);
        assertThat(amd64.events()).isEqualTo(4);
        assertThat(amd64.aliveWorkers()).isEqualTo(2);
        assertThat(amd64.building()).isEqualTo(1);
        assertThat(amd64.waiting()).as("4 events not done, 1 of them being built").isEqualTo(3);
        assertThat(amd64.age()).isEqualTo(Duration.ofSeconds(2));
        assertThat(queues.get(1).lag()).isNull();
        assertThat(queues.get(1).problem()).isEqualTo("no work queue");
        assertThat(queues.get(2).aliveWorkers()).isZero();
        assertThat(queues.get(2).problem()).isEqualTo("not looked up yet");
        assertThat(FarmBoard.waiting(new QueueLag(Arch.AMD64, 3L, 0L, 1L, null, T0), 2)).as("never below zero").isZero();
        assertThat(FarmBoard.waiting(new QueueLag(Arch.AMD64, 3L, 0L, null, "not counted", T0), 0)).isNull();
    }

    static BrokerHealth.Node node(int id) {
        return new BrokerHealth.Node(id, "127.0.0.1", 9090 + id);
    }

    static BrokerHealth.PartitionReplicas partition(int p, List<Integer> replicas, List<Integer> isr) {
        return new BrokerHealth.PartitionReplicas("imagefarm.image-status", p, replicas, isr);
    }

    @Test
    void aBrokerIsInSyncWhenItIsUpAndInTheIsrOfEveryPartitionItReplicates() {
        BrokerHealth health = BrokerHealth.judge(List.of(node(1), node(2), node(3)), List.of(), List.of(
                partition(0, List.of(1, 2, 3), List.of(1, 2, 3)),
                partition(1, List.of(2, 3, 1), List.of(2, 1)), // 3 fell behind
                partition(2, List.of(3, 1, 2), List.of(3, 1, 2))), T0);

        assertThat(health.brokers()).extracting(BrokerHealth.Broker::id, BrokerHealth.Broker::inSync, BrokerHealth.Broker::replicas,
                BrokerHealth.Broker::outOfSync).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, true, 3, 0),
                org.assertj.core.groups.Tuple.tuple(2, true, 3, 0),
                org.assertj.core.groups.Tuple.tuple(3, false, 3, 1));
        assertThat(health.underReplicated()).isEqualTo(1);
        assertThat(health.partitions()).isEqualTo(3);
        assertThat(health.brokers().get(0).address()).isEqualTo("127.0.0.1:9091");
        assertThat(health.allInSync()).isFalse();
    }

    @Test
    void aBrokerThatIsDownIsShownFromTheReplicasThatNameItOrFromAnEarlierLook() {
        farm.onBrokers(List.of(node(1), node(2)), List.of(partition(0, List.of(1, 2), List.of(1, 2))), T0);
        assertThat(farm.view(BOTH, r -> true, T0).brokers().allInSync()).isTrue();

        // broker 2 went away: it is no longer listed, and an ISR without it is under-replicated; broker 3 is
        // known only as a replica (never seen up by this replica)
        farm.onBrokers(List.of(node(1)), List.of(partition(0, List.of(1, 2), List.of(1)), partition(1, List.of(3, 1), List.of(1))),
                T0.plusSeconds(5));
        BrokerHealth health = farm.view(BOTH, r -> true, T0.plusSeconds(5)).brokers();
        assertThat(health.brokers()).extracting(BrokerHealth.Broker::id, BrokerHealth.Broker::up, BrokerHealth.Broker::inSync)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, true, true),
                        org.assertj.core.groups.Tuple.tuple(2, false, false),
                        org.assertj.core.groups.Tuple.tuple(3, false, false));
        assertThat(health.brokers().get(1).address()).as("its last known address").isEqualTo("127.0.0.1:9092");
        assertThat(health.brokers().get(2).address()).isEqualTo("–");
        assertThat(health.underReplicated()).isEqualTo(2);

        // Kafka does not answer: the last view stays, saying why
        farm.onBrokersUnknown("the brokers cannot be described: timeout", T0.plusSeconds(10));
        BrokerHealth stale = farm.view(BOTH, r -> true, T0.plusSeconds(10)).brokers();
        assertThat(stale.brokers()).hasSize(3);
        assertThat(stale.problem()).contains("timeout");
        assertThat(stale.at()).isEqualTo(T0.plusSeconds(5));
        assertThat(stale.allInSync()).isFalse();
    }

    @Test
    void nothingLookedUpYetSaysSo() {
        FarmBoard.View view = farm.view(BOTH, r -> true, T0);
        assertThat(view.workers()).isEmpty();
        assertThat(view.brokers().problem()).isEqualTo("not looked up yet");
        assertThat(view.queues()).extracting(FarmBoard.QueueRow::arch).containsExactly("amd64", "arm64");
    }
}
