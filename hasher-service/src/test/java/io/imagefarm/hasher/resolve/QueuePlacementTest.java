package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QueuePlacementTest {

    @Test
    void aBurstIsSpreadEvenlyOverTheWorkersOfAnArch() {
        QueuePlacement placement = new QueuePlacement(new QueuePlacement.Snapshot(Map.of(
                "worker-1", List.of(0, 1, 2, 3), "worker-2", List.of(4, 5, 6, 7), "worker-3", List.of(8, 9, 10, 11)), Map.of()));

        List<Integer> placed = new ArrayList<>();
        IntStream.range(0, 12).forEach(i -> placed.add(placement.next().orElseThrow()));

        assertThat(placed.stream().filter(p -> p < 4)).hasSize(4);
        assertThat(placed.stream().filter(p -> p >= 4 && p < 8)).hasSize(4);
        assertThat(placed.stream().filter(p -> p >= 8)).hasSize(4);
    }

    @Test
    void anEventGoesToAnIdleWorkerNotBehindABusyOne() {
        QueuePlacement placement = new QueuePlacement(new QueuePlacement.Snapshot(Map.of(
                "busy", List.of(0, 1), "idle", List.of(2, 3)), Map.of(0, 1L, 1, 2L)));

        OptionalInt next = placement.next();
        assertThat(next).isPresent();
        assertThat(next.getAsInt()).isIn(2, 3);
    }

    @Test
    void eventsPlacedSinceTheLookBeganCountAsQueuedSoABurstSpanningTwoLooksStaysEven() {
        // the look saw an empty queue, but this replica placed two events on worker-1 since it began
        QueuePlacement placement = new QueuePlacement(new QueuePlacement.Snapshot(Map.of(
                "worker-1", List.of(0, 1), "worker-2", List.of(2, 3)), Map.of()), Map.of(0, 1L, 1, 1L));

        assertThat(placement.next().getAsInt()).isIn(2, 3);
        assertThat(placement.next().getAsInt()).isIn(2, 3);
    }

    @Test
    void withoutAnyWorkerInTheGroupTheKeyDecides() {
        assertThat(new QueuePlacement(QueuePlacement.Snapshot.NONE).next()).isEmpty();
    }
}
