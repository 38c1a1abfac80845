package io.imagefarm.hasher.messaging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * How far this replica's book has taken in the status topic: per partition, the offset after the last
 * record applied. The request decider waits on it after taking over partitions, so it never decides
 * on a book that misses a decision the previous owner committed.
 */
@jakarta.inject.Singleton
public class StatusPositions {

    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();

    void applied(TopicPartition partition, long offset) {
        applied.merge(partition, offset + 1, Math::max);
    }

    /** The offset after the last record applied from {@code partition}, or 0. */
    public long next(TopicPartition partition) {
        return applied.getOrDefault(partition, 0L);
    }
}
