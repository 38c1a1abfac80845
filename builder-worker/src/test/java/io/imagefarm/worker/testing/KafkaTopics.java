package io.imagefarm.worker.testing;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The test's side of the real broker: sends image-required events (and poison), and watches the
 * status and dead-letter topics from the beginning, in the background.
 */
public final class KafkaTopics implements AutoCloseable {

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;
    private final List<ConsumerRecord<String, byte[]>> statusRecords = new CopyOnWriteArrayList<>();
    private final List<ConsumerRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    private final Thread watcher;
    private volatile boolean running = true;

    public KafkaTopics(String bootstrap, String deadLetterTopic) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.watcher = new Thread(() -> watch(deadLetterTopic), "test-topic-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    public void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    public void send(ImageRequired event) {
        send(Topics.imageRequired(io.imagefarm.core.image.Arch.parse(event.platform())), event.image(), EventCodec.encode(event));
    }

    /** Every status published for the image, in order. */
    public List<ImageStatus> statuses(String image) {
        return statusRecords.stream().filter(r -> image.equals(r.key()))
                .map(r -> EventCodec.decode(r.value(), ImageStatus.class)).collect(Collectors.toList());
    }

    /** Every record on the status topic so far, whatever its key, as raw text. */
    public List<String> rawStatusRecords() {
        return statusRecords.stream().map(r -> (r.key() == null ? "" : r.key()) + " "
                + (r.value() == null ? "" : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))).toList();
    }

    public List<ConsumerRecord<String, byte[]>> deadLetters() {
        return deadLetters;
    }

    private void watch(String deadLetterTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-watcher-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.IMAGE_STATUS, deadLetterTopic));
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    (r.topic().equals(Topics.IMAGE_STATUS) ? statusRecords : deadLetters).add(r);
                }
            }
        }
    }

    public static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
        return java.util.stream.StreamSupport.stream(record.headers().spliterator(), false)
                .collect(Collectors.toMap(h -> h.key(), h -> new String(h.value(), java.nio.charset.StandardCharsets.UTF_8), (a, b) -> b));
    }

    @Override
    public void close() {
        running = false;
        producer.close();
    }
}
