package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.resolve.QueuePlacement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Each arch's worker group as the request decider places events: who holds which partition of the work
 * queue, and how many events each partition has not had committed yet. Looked up at most every
 * {@code maxAge}; between looks, one {@link QueuePlacement} per arch adds this replica's own placements.
 */
final class WorkQueueLoad {

    private static final Logger LOG = Logger.getLogger(WorkQueueLoad.class);
    /** A burst loads the brokers too: a look may take a few seconds then, and is still worth more than a key's hash. */
    private static final long CALL_TIMEOUT_MS = 5000;

    private record Cached(QueuePlacement placement, long at, QueuePlacement.Snapshot snapshot) {
    }

    private final Admin admin;
    private final Duration maxAge;
    private final Map<Arch, Cached> cache = new EnumMap<>(Arch.class);
    private long lastFailureLog;

    WorkQueueLoad(Admin admin, Duration maxAge) {
        this.admin = admin;
        this.maxAge = maxAge;
    }

    /** The placement for {@code arch}, from a snapshot at most {@code maxAge} old. */
    QueuePlacement placement(Arch arch) {
        Cached c = cache.get(arch);
        if (c == null || System.nanoTime() - c.at() > maxAge.toNanos()) {
            QueuePlacement.Snapshot s = snapshot(arch);
            c = new Cached(new QueuePlacement(s), System.nanoTime(), s);
            cache.put(arch, c);
        }
        return c.placement();
    }

    /**
     * The group's members with their assignments. Worker groups are classic groups (the workers' consumers
     * use Kafka's default protocol, with static membership): one DescribeGroups round trip. Admin's
     * describeConsumerGroups would first ask with the consumer protocol's ConsumerGroupDescribe, be told
     * GROUP_ID_NOT_FOUND for a classic group, and ask again after retry.backoff.ms (100 ms): ~100 ms per arch
     * on the decision path, measured. A group on the consumer protocol is refused by DescribeGroups
     * (GROUP_ID_NOT_FOUND) and described that way instead.
     */
    private Collection<MemberDescription> members(String group) throws Exception {
        try {
            return admin.describeClassicGroups(List.of(group)).describedGroups().get(group)
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).members();
        } catch (ExecutionException notClassic) {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).members();
        }
    }

    /**
     * Events on a partition that the group has not committed (queued, or being built). The events are
     * written in transactions, so the partition's last offset is a commit marker that no consumer ever
     * commits past: a worker that built everything commits the offset of that marker, one short of the
     * end. Without the marker's offset, a done partition would look loaded for good.
     */
    static long uncommittedEvents(long end, long committed) {
        return Math.max(0, end - committed - 1);
    }

    /** The group's members, their partitions, and each partition's uncommitted events; empty when it cannot tell. */
    QueuePlacement.Snapshot snapshot(Arch arch) {
        String group = Topics.workerGroup(arch);
        String topic = Topics.imageRequired(arch);
        try {
            Map<String, List<Integer>> assignment = new HashMap<>();
            List<TopicPartition> partitions = new ArrayList<>();
            for (MemberDescription m : members(group)) {
                List<Integer> mine = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic))
                        .map(TopicPartition::partition).sorted().toList();
                assignment.put(m.groupInstanceId().orElse(m.consumerId()), mine);
                mine.forEach(p -> partitions.add(new TopicPartition(topic, p)));
            }
            if (partitions.isEmpty()) {
                return QueuePlacement.Snapshot.NONE;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<Integer, Long> outstanding = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                outstanding.put(tp.partition(), uncommittedEvents(ends.get(tp).offset(), c == null ? 0 : c.offset()));
            }
            return new QueuePlacement.Snapshot(assignment, outstanding);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (lastFailureLog == 0 || System.nanoTime() - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
                lastFailureLog = System.nanoTime();
                LOG.warnf(e, "the %s group cannot be looked at; events go to their key's partition meanwhile", group);
            }
            return QueuePlacement.Snapshot.NONE;
        }
    }
}
