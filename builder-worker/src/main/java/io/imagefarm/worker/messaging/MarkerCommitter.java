package io.imagefarm.worker.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Commits an idle partition past the transaction markers that follow its last record, so the group's
 * lag reads 0 when no work waits.
 *
 * <p><b>Why.</b> The hashers publish in transactions, and each transaction's end writes a control marker
 * that takes an offset of its own. A consumer commits the offset after the last record it processed,
 * which stays behind that marker: end offset minus committed offset, which is what KEDA's Kafka scaler
 * (and every lag exporter) reads, stays at 1 per partition with nothing to do. With 12 partitions and a
 * lag threshold of 2, an idle pool would look like work for 6 workers and never scale in.
 *
 * <p><b>Why it is safe.</b> A partition committed at C moves to its end offset E (read_committed: the last
 * stable offset, so an open transaction is never passed) only when
 * <ul>
 * <li>reading [C, E) with a consumer of its own, in no group and read_committed, returns no record: the
 * gap holds markers and aborted records only, so nothing is skipped (a C below the log start fails the
 * read, and is left to the group's own consumer);</li>
 * <li>no record at C or later has reached this worker's handler ({@link DeliveredOffsets}): one that did is
 * being processed, or was left unacknowledged on purpose, and its own commit (which the commit strategy
 * makes) must not be overtaken by an older one;</li>
 * <li>on the member's polling thread, just before the commit, the partition is still assigned to it and
 * still committed at C.</li>
 * </ul>
 * The commit is the group member's own (a commit from outside an active group is refused), made on its
 * polling thread through {@link Member}.
 */
public final class MarkerCommitter implements AutoCloseable {

    /** Runs a task with the group member's consumer, on the thread that owns it, and waits for it. */
    @FunctionalInterface
    public interface Member {
        void run(Consumer<org.apache.kafka.clients.consumer.Consumer<?, ?>> task);
    }

    /** A partition committed at {@code committed} whose end offset is {@code end}, further on. */
    public record Gap(TopicPartition partition, long committed, long end) {
    }

    private final KafkaConsumer<byte[], byte[]> reader;
    private final DeliveredOffsets delivered;
    private final Duration timeout;

    /**
     * @param reader    a consumer in no group, read_committed ({@link #reader(Map, String)})
     * @param delivered what reached the handler
     * @param timeout   for each broker call, and for reading one gap
     */
    public MarkerCommitter(KafkaConsumer<byte[], byte[]> reader, DeliveredOffsets delivered, Duration timeout) {
        this.reader = reader;
        this.delivered = delivered;
        this.timeout = timeout;
    }

    /**
     * The consumer that reads the gaps, from the service's Kafka client settings (TLS and SASL included):
     * in no group, read_committed, committing nothing.
     */
    public static KafkaConsumer<byte[], byte[]> reader(Map<String, Object> kafka, String clientId) {
        Properties props = new Properties();
        kafka.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                props.put(key, value);
            }
        });
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        // a committed offset below the log start (retention took records) must fail the read: a reset to
        // the end would see no record and commit over the ones still there
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * One pass over the member's partitions.
     *
     * @return the partitions it committed past their markers
     * @throws org.apache.kafka.common.KafkaException when the broker could not be asked: nothing was
     *         committed that was not checked, and the next pass tries again
     */
    public List<Gap> commitIdle(Member member) {
        List<Gap> gaps = new ArrayList<>();
        member.run(consumer -> {
            Set<TopicPartition> assigned = consumer.assignment();
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, timeout); // read_committed: the LSO
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata at = committed.get(tp);
                Long end = ends.get(tp);
                if (at != null && end != null && end > at.offset() && delivered.highest(tp) < at.offset()) {
                    gaps.add(new Gap(tp, at.offset(), end));
                }
            }
        });
        List<Gap> empty = gaps.stream().filter(this::holdsNoRecord).toList();
        if (empty.isEmpty()) {
            return List.of();
        }
        List<Gap> moved = new ArrayList<>();
        member.run(consumer -> {
            Map<TopicPartition, OffsetAndMetadata> now = consumer.committed(
                    Set.copyOf(empty.stream().map(Gap::partition).toList()), timeout);
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (Gap gap : empty) {
                OffsetAndMetadata at = now.get(gap.partition());
                if (consumer.assignment().contains(gap.partition()) && at != null && at.offset() == gap.committed()
                        && delivered.highest(gap.partition()) < gap.committed()) {
                    commit.put(gap.partition(), new OffsetAndMetadata(gap.end(), Optional.empty(), at.metadata()));
                    moved.add(gap);
                }
            }
            if (!commit.isEmpty()) {
                consumer.commitSync(commit, timeout);
            }
        });
        return moved;
    }

    /** True when [committed, end) of the gap's partition holds no committed record (read within the timeout). */
    private boolean holdsNoRecord(Gap gap) {
        TopicPartition tp = gap.partition();
        reader.assign(List.of(tp));
        try {
            reader.seek(tp, gap.committed());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
                    if (r.offset() < gap.end()) {
                        return false;
                    }
                }
                if (reader.position(tp, timeout) >= gap.end()) {
                    return true;
                }
            }
            return false; // not read to its end in time: left for the next pass
        } catch (InvalidOffsetException e) {
            return false; // committed below the log start: the group's own consumer resets, and commits later
        } finally {
            reader.assign(List.of());
        }
    }

    @Override
    public void close() {
        reader.close(Duration.ofSeconds(5));
    }
}
