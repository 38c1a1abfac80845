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
import org.apache.kafka.clients.admin.MemberDescription;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Each arch's worker group as the request decider places events: who holds which partition of the work
 * queue, and how many events each partition has not had committed yet. Looked up at most every
 * {@code maxAge}; between looks, one {@link QueuePlacement} per arch adds this replica's own placements.
 */
final class WorkQueueLoad implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkQueueLoad.class);
    /** A burst loads the brokers too: a look may take a few seconds then, and is still worth more than a key's hash. */
    private static final long CALL_TIMEOUT_MS = 5000;

    private record Cached(QueuePlacement placement, long at, QueuePlacement.Snapshot snapshot) {
    }

    private final Admin admin;
    private final Duration maxAge;
    private final Map<Arch, Cached> cache = new EnumMap<>(Arch.class);
    private final Map<Arch, KafkaConsumer<byte[], byte[]>> readers = new EnumMap<>(Arch.class);
    private final Properties readerProps;
    private long lastFailureLog;

    /** @param readerProps a read_committed consumer without a group, to count the queued events */
    WorkQueueLoad(Admin admin, Duration maxAge, Properties readerProps) {
        this.admin = admin;
        this.maxAge = maxAge;
        this.readerProps = readerProps;
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
     * Events on each partition that the group has not committed (queued, or being built), counted as
     * records, read_committed, from the group's committed offset to the end. Offsets alone would not do:
     * the events are written in transactions, and every transaction leaves a commit marker offset that no
     * consumer ever commits past, so a built-out partition, or one that got its events in several
     * transactions, would look more loaded than it is (bursts then piled onto one worker).
     */
    private Map<Integer, Long> queued(Arch arch, List<TopicPartition> partitions, Map<TopicPartition, OffsetAndMetadata> committed) {
        KafkaConsumer<byte[], byte[]> reader = readers.computeIfAbsent(arch, a -> new KafkaConsumer<>(readerProps));
        reader.assign(partitions);
        Duration limit = Duration.ofMillis(CALL_TIMEOUT_MS);
        Map<TopicPartition, Long> ends = reader.endOffsets(partitions, limit);
        Map<TopicPartition, Long> beginnings = reader.beginningOffsets(partitions, limit);
        Map<Integer, Long> counts = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            reader.seek(tp, Math.max(c == null ? 0 : c.offset(), beginnings.get(tp)));
            counts.put(tp.partition(), 0L);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CALL_TIMEOUT_MS);
        while (partitions.stream().anyMatch(tp -> reader.position(tp, limit) < ends.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + Topics.imageRequired(arch) + " queue could not be read to its end in time");
            }
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    counts.merge(r.partition(), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    @Override
    public void close() {
        readers.values().forEach(KafkaConsumer::close);
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
            return new QueuePlacement.Snapshot(assignment, queued(arch, partitions, committed));
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
