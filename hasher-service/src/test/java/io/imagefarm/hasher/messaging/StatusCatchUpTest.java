package io.imagefarm.hasher.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StatusCatchUpTest {

    static final TopicPartition P0 = new TopicPartition("imagefarm.image-status", 0);
    static final TopicPartition P1 = new TopicPartition("imagefarm.image-status", 1);

    @Test
    void caughtUpOnlyWhenEveryPartitionReachedItsStartUpEndOffset() {
        Map<TopicPartition, Long> target = Map.of(P0, 120L, P1, 7L);

        assertThat(StatusCatchUp.reached(target, Map.of(P0, 119L, P1, 7L))).isFalse();
        assertThat(StatusCatchUp.reached(target, Map.of(P0, 120L))).isFalse();
        assertThat(StatusCatchUp.reached(target, Map.of(P0, 120L, P1, 7L))).isTrue();
        assertThat(StatusCatchUp.reached(target, Map.of(P0, 500L, P1, 9L))).as("records written since").isTrue();
    }

    @Test
    void anEmptyTopicIsCaughtUpAtOnceButUnknownTargetsNever() {
        assertThat(StatusCatchUp.reached(Map.of(P0, 0L, P1, 0L), Map.of())).isTrue();
        assertThat(StatusCatchUp.reached(null, Map.of(P0, 10L))).isFalse();
    }
}
