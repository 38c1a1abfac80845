package io.imagefarm.hasher.board;

import io.imagefarm.core.image.Arch;
import java.time.Instant;
import java.util.Map;

/**
 * One arch's work queue as its worker group sees it: per topic, the sum over partitions of the end offset
 * (read_committed) minus the group's committed offset; a partition the group never committed counts from
 * its log start offset, and so does one whose commit retention overtook. Plain Java, from the offsets the
 * admin client returns.
 *
 * @param lag      on {@code imagefarm.image-required.<arch>} (group {@code builder-<arch>}); null when unknown
 * @param retryLag on its retry topic (group {@code builder-<arch>-retry}); null when unknown
 * @param problem  why something is unknown (the queue does not exist, Kafka did not answer), else null
 * @param at       when this replica looked (its clock)
 */
public record QueueLag(Arch arch, Long lag, Long retryLag, String problem, Instant at) {

    public static QueueLag unknown(Arch arch, String problem, Instant at) {
        return new QueueLag(arch, null, null, problem, at);
    }

    /**
     * The lag of one topic and group.
     *
     * @param ends      end offset per partition (read_committed): every partition of the topic
     * @param starts    log start offset per partition
     * @param committed the group's committed offset per partition; a partition it never committed is absent
     */
    public static long sum(Map<Integer, Long> ends, Map<Integer, Long> starts, Map<Integer, Long> committed) {
        long lag = 0;
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            long start = starts.getOrDefault(e.getKey(), 0L);
            Long c = committed.get(e.getKey());
            long from = c == null ? start : Math.max(c, start);
            lag += Math.max(0, e.getValue() - from);
        }
        return lag;
    }
}
