package io.imagefarm.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the stack's topics as an outside observer: whole topics, and how far committed reads lag the log end. */
final class TopicProbe implements AutoCloseable {

    private final String bootstrap;
    private final Admin admin;

    TopicProbe(String bootstrap) {
        this.bootstrap = bootstrap;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000));
    }

    /** Every record of {@code topic} up to its current end, as a consumer with {@code isolation} sees it. */
    List<ConsumerRecord<String, String>> readAll(String topic, IsolationLevel isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "fault-probe-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(20)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within 60 s");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }

    /** Per partition of {@code topic}: log end offset (high watermark) and last stable offset. */
    Map<TopicPartition, long[]> endAndStable(String topic) throws Exception {
        int count = admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < count; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        var end = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(20, TimeUnit.SECONDS);
        var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(20, TimeUnit.SECONDS);
        Map<TopicPartition, long[]> result = new HashMap<>();
        latest.keySet().forEach(tp -> result.put(tp, new long[] {end.get(tp).offset(), stable.get(tp).offset()}));
        return result;
    }

    /**
     * The group's consumer lag on {@code topic}, as Kafka's tools report it: per partition the last stable
     * offset minus the group's committed offset (0 where it committed none), summed. Its topics' log
     * starts are 0 here (nothing is deleted on the stacks the tests run).
     */
    long consumerLag(String topic, String group) throws Exception {
        return lag(topic, group, 1);
    }

    /**
     * The group's lag on {@code topic} as KEDA's Kafka scaler computes it: per partition the log end
     * offset (transaction markers included) minus the group's committed offset (0 where it committed
     * none), summed.
     */
    long kedaLag(String topic, String group) throws Exception {
        return lag(topic, group, 0);
    }

    /** @param end 0: from the log end offset; 1: from the last stable offset */
    private long lag(String topic, String group, int end) throws Exception {
        Map<TopicPartition, long[]> ends = endAndStable(topic);
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                throw e;
            }
            committed = Map.of(); // no such group (any more): it has committed nothing
        }
        long lag = 0;
        for (Map.Entry<TopicPartition, long[]> e : ends.entrySet()) {
            var c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue()[end] - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
