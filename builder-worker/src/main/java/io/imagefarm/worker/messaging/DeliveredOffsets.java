package io.imagefarm.worker.messaging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The highest offset of each partition whose record reached this worker's handler. {@link MarkerCommitter}
 * reads it so it never commits over a record that is being processed (or was left unacknowledged), nor
 * lands a commit after the commit strategy's newer one.
 */
public final class DeliveredOffsets {

    private final Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();

    /** The record at {@code offset} of {@code partition} reached the handler. */
    public void delivered(TopicPartition partition, long offset) {
        highest.merge(partition, offset, Math::max);
    }

    /** The highest offset delivered from {@code partition}, or -1 if none was. */
    public long highest(TopicPartition partition) {
        return highest.getOrDefault(partition, -1L);
    }
}
