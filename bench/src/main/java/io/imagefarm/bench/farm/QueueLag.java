package io.imagefarm.bench.farm;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One arch's queue lag as KEDA's Kafka scaler reads it: the work queue's end offsets (read_committed)
 * minus the worker group's committed offsets, which the decision uses. Reports the records behind that
 * difference as well: the hashers write events in transactions, and each commit marker takes an offset,
 * so a queued event counts about 2; an idle partition reads 0 once its workers commit past the marker
 * after their last event (the worker's marker-commit-interval).
 */
final class QueueLag implements AutoCloseable {

    /** @param records committed records after the group's offsets; @param offsets end minus committed offsets */
    record Lag(long records, long offsets) {
    }

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> reader;

    QueueLag(String bootstrap) {
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin = Admin.create(a);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        reader = new KafkaConsumer<>(c); // no group: it reads where it is told and commits nothing
    }

    Lag of(String arch) throws Exception {
        String topic = "imagefarm.image-required." + arch;
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("builder-" + arch)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        List<TopicPartition> partitions = reader.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, Long> ends = reader.endOffsets(partitions, Duration.ofSeconds(10)); // read_committed: the LSO
        Map<TopicPartition, Long> starts = reader.beginningOffsets(partitions, Duration.ofSeconds(10));
        Map<TopicPartition, Long> from = new HashMap<>();
        long offsets = 0;
        for (TopicPartition p : partitions) {
            OffsetAndMetadata c = committed.get(p);
            // No commit yet: the group starts at the beginning (the workers' auto.offset.reset=earliest).
            long at = c == null ? starts.get(p) : Math.max(c.offset(), starts.get(p));
            long behind = Math.max(0, ends.get(p) - at);
            offsets += behind;
            if (behind > 0) {
                from.put(p, at);
            }
        }
        return new Lag(from.isEmpty() ? 0 : count(from, ends), offsets);
    }

    private long count(Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends) {
        reader.assign(from.keySet());
        from.forEach(reader::seek);
        long n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (from.keySet().stream().anyMatch(p -> reader.position(p) < ends.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the queue up to " + ends + " within 10 s");
            }
            for (var r : reader.poll(Duration.ofMillis(200))) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    n++;
                }
            }
        }
        reader.unsubscribe();
        return n;
    }

    @Override
    public void close() {
        reader.close();
        admin.close();
    }
}
