package io.imagefarm.janitor.messaging;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.core.event.Topics;
import io.imagefarm.janitor.usage.UsageHistory;
import io.imagefarm.janitor.usage.UsageSource;
import io.imagefarm.janitor.usage.UsageUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads the compacted status topic from the beginning to its current end, once per run, with no
 * consumer group (partitions assigned, nothing committed): the topic is the hasher's table of record,
 * and a run wants all of it. A missing topic or a broker that does not answer in time fails the read:
 * a run without usage must not prune by count alone.
 */
public final class StatusTopicReader implements UsageSource {

    private static final Logger LOG = Logger.getLogger(StatusTopicReader.class);

    private final Map<String, Object> kafkaConfig;
    private final String topic;
    private final Duration timeout;

    /** @param timeout how long one read may take to reach the topic's end */
    public StatusTopicReader(Map<String, Object> kafkaConfig, Duration timeout) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topic = Topics.IMAGE_STATUS;
        this.timeout = timeout;
    }

    @Override
    public UsageHistory read() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        UsageHistory usage = UsageHistory.empty();
        Instant deadline = Instant.now().plus(timeout);
        int records = 0;
        int invalid = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new UsageUnavailableException("status topic " + topic + " does not exist; refusing to prune without usage history");
            }
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(tps, timeout));
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
                if (Instant.now().isAfter(deadline)) {
                    throw new UsageUnavailableException("status topic " + topic + " not read to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    if (r.value() == null) {
                        continue; // tombstone
                    }
                    try {
                        usage.add(ImageStatus.fromRecord(r.value()));
                    } catch (InvalidEventException e) {
                        invalid++;
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new UsageUnavailableException("status topic " + topic + " cannot be read: " + e.getMessage(), e);
        }
        LOG.debugf("read %d status records (%d undecodable) for %d images", records, invalid, usage.images());
        return usage;
    }
}
