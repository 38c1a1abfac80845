package io.imagefarm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole {@code imagefarm.image-required.<arch>} topic as a worker would see it (read_committed,
 * so an aborted transaction's events do not count) and picks the events for one image, by the
 * event's {@code image} field. No consumer group: it assigns every partition and reads up to the end
 * offsets it found at the start.
 */
final class ImageRequiredTopic {

    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final Duration READ_LIMIT = Duration.ofSeconds(60);

    /** The Kafka timestamp (epoch ms) of each committed event for {@code image}, in topic order per partition. */
    static List<Long> eventTimestamps(String bootstrap, Arch arch, String image) {
        return eventTimestamps(bootstrap, arch, List.of(image)).get(image);
    }

    /** The same for several images in one read of the topic: by image, each image's list (empty when it has none). */
    static Map<String, List<Long>> eventTimestamps(String bootstrap, Arch arch, Collection<String> images) {
        String topic = Topics.imageRequired(arch);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "imagefarm-bench");
        Map<String, List<Long>> timestamps = new HashMap<>();
        images.forEach(image -> timestamps.put(image, new ArrayList<>()));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrap);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(15));
            long deadline = System.nanoTime() + READ_LIMIT.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end + " within " + READ_LIMIT);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    List<Long> mine = timestamps.get(imageOf(record.value()));
                    if (mine != null) {
                        mine.add(record.timestamp());
                    }
                }
            }
        }
        return timestamps;
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static String imageOf(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode image = JSON.readTree(json).get("image");
            return image == null ? null : image.asText();
        } catch (IOException e) {
            return null; // not an event of ours: it names no image
        }
    }

    private ImageRequiredTopic() {
    }
}
