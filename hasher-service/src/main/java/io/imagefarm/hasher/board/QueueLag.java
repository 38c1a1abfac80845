package io.imagefarm.hasher.board;

import io.imagefarm.core.image.Arch;
import java.time.Instant;
import java.util.Map;

/**
 * One arch's work queue as its worker groups see it. Plain Java, from what the admin client and a
 * counting read of the topics return.
 *
 * <p>The <em>consumer lag</em> is Kafka's: per topic, the sum over partitions of the end offset
 * (read_committed) minus the group's committed offset; a partition the group never committed counts
 * from its log start offset, and so does one whose commit retention overtook. It counts offsets, and
 * the hasher writes events in transactions: every transaction's commit marker takes an offset, which a
 * worker commits past only once the partition is idle (its marker-commit-interval, 30 s), so a queue
 * reads about two per event and a drained one keeps one per partition until then.
 * How many <em>events</em> are not done is therefore counted, not subtracted: the records (read_committed)
 * between each partition's committed offset and its end, on the queue and on its retry topic.
 *
 * @param lag      consumer lag of {@code builder-<arch>} on {@code imagefarm.image-required.<arch>}; null when unknown
 * @param retryLag consumer lag of {@code builder-<arch>-retry} on its retry topic; null when unknown
 * @param events   events on both topics the groups have not committed (queued, waiting for a retry, or
 *                 being built); null when unknown or too many to count
 * @param problem  why something is unknown (the queue does not exist, Kafka did not answer), else null
 * @param at       when this replica looked (its clock)
 */
public record QueueLag(Arch arch, Long lag, Long retryLag, Long events, String problem, Instant at) {

    public static QueueLag unknown(Arch arch, String problem, Instant at) {
        return new QueueLag(arch, null, null, null, problem, at);
    }

    /**
     * The consumer lag of one topic and group.
     *
     * @param ends      end offset per partition (read_committed): every partition of the topic
     * @param starts    log start offset per partition
     * @param committed the group's committed offset per partition; a partition it never committed is absent
     */
    public static long sum(Map<Integer, Long> ends, Map<Integer, Long> starts, Map<Integer, Long> committed) {
        long lag = 0;
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            lag += Math.max(0, e.getValue() - from(e.getKey(), starts, committed));
        }
        return lag;
    }

    /** Where the group's uncommitted records of a partition begin: its committed offset, not before the log start. */
    public static long from(int partition, Map<Integer, Long> starts, Map<Integer, Long> committed) {
        long start = starts.getOrDefault(partition, 0L);
        Long c = committed.get(partition);
        return c == null ? start : Math.max(c, start);
    }
}
