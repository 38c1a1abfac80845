package io.imagefarm.hasher.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkQueueLoadTest {

    @Test
    void aPartitionWhoseEventsAreAllBuiltIsIdleDespiteItsTrailingCommitMarker() {
        // [event 0][commit marker 1]: the worker committed 1, the end offset is 2
        assertThat(WorkQueueLoad.uncommittedEvents(2, 1)).isZero();
        assertThat(WorkQueueLoad.uncommittedEvents(0, 0)).as("a partition never written").isZero();
    }

    @Test
    void queuedEventsCountAndAnIdlePartitionNeverLooksLoadedOrTheReverse() {
        // two events in one transaction, none committed: [event 0][event 1][marker 2]
        assertThat(WorkQueueLoad.uncommittedEvents(3, 0)).isEqualTo(2);
        // one event being built: [event 0][marker 1], nothing committed yet
        assertThat(WorkQueueLoad.uncommittedEvents(2, 0)).isEqualTo(1);
        // [event 0][marker 1][event 2][marker 3], event 0 built (committed 1), event 2 queued: the marker
        // between them counts too; an over-count that grows with the queue, never an idle-looking queue
        assertThat(WorkQueueLoad.uncommittedEvents(4, 1)).isEqualTo(2);
    }
}
