package io.imagefarm.worker.testing;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The test's side of the real broker: creates an arch's topics as the hasher does (work queue, retry
 * topic, dead-letter topic), sends image-required events (in transactions, as the hashers do) and
 * poison, reads a group's lag as KEDA does, and watches the status,
 * retry, dead-letter and worker beat topics from the beginning, in the background.
 */
public final class KafkaTopics implements AutoCloseable {

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;
    /** The work queue's events, written in transactions as the hashers write them (a marker after each). */
    private final KafkaProducer<String, byte[]> transactional;
    private final Admin admin;
    private final List<ConsumerRecord<String, byte[]>> statusRecords = new CopyOnWriteArrayList<>();
    private final List<ConsumerRecord<String, byte[]>> retryRecords = new CopyOnWriteArrayList<>();
    private final List<ConsumerRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    private final List<ConsumerRecord<String, byte[]>> beatRecords = new CopyOnWriteArrayList<>();
    private final Thread watcher;
    private volatile boolean running = true;

    public KafkaTopics(String bootstrap, Arch arch) {
        this.bootstrap = bootstrap;
        createTopics(bootstrap, arch);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties t = new Properties();
        t.putAll(p);
        t.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-hasher-" + java.util.UUID.randomUUID());
        this.transactional = new KafkaProducer<>(t, new StringSerializer(), new ByteArraySerializer());
        transactional.initTransactions();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        this.watcher = new Thread(() -> watch(Topics.imageRequiredRetry(arch), Topics.imageRequiredDeadLetter(arch)),
                "test-topic-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * The arch's work queue, retry and dead-letter topics, as the hasher's TopicsInitializer creates them
     * at start-up (the worker tests run no hasher). Those that exist are kept.
     */
    public static void createTopics(String bootstrap, Arch arch) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (NewTopic topic : List.of(new NewTopic(Topics.imageRequired(arch), 3, (short) 1),
                    new NewTopic(Topics.imageRequiredRetry(arch), 3, (short) 1),
                    new NewTopic(Topics.imageRequiredDeadLetter(arch), 1, (short) 1))) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create " + topic.name(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create the topics of " + arch, e);
        }
    }

    public void send(String topic, String key, byte[] value) {
        send(topic, key, value, Map.of());
    }

    /** A record with headers, e.g. a retry record (see {@code RetryHeaders}). */
    public void send(String topic, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    /** The event on its arch's work queue, in a transaction of its own, as a hasher publishes it. */
    public synchronized RecordMetadata send(ImageRequired event) {
        String topic = Topics.imageRequired(Arch.parse(event.platform()));
        try {
            transactional.beginTransaction();
            RecordMetadata sent = transactional.send(new ProducerRecord<>(topic, event.image(), EventCodec.encode(event)))
                    .get(30, TimeUnit.SECONDS);
            transactional.commitTransaction();
            return sent;
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic + " in a transaction", e);
        }
    }

    /**
     * The lag of {@code group} on {@code partition} as KEDA's Kafka scaler computes it: the partition's
     * newest offset (high watermark, transaction markers included) minus the group's committed offset.
     */
    public long kedaLag(String group, TopicPartition partition) {
        try {
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(10, TimeUnit.SECONDS).offset();
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(partition);
            return end - (committed == null ? 0 : committed.offset());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the lag of " + group + " on " + partition, e);
        }
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

    /** The beats of one worker so far, in order (one key, one partition); null stands for its tombstone. */
    public List<WorkerBeat> beats(String instanceId) {
        return beatRecords.stream().filter(r -> instanceId.equals(r.key()))
                .map(r -> r.value() == null ? null : EventCodec.decode(r.value(), WorkerBeat.class))
                .collect(Collectors.toList());
    }

    public List<ConsumerRecord<String, byte[]>> deadLetters() {
        return deadLetters;
    }

    /** Every record on the arch's retry topic so far, in order per partition. */
    public List<ConsumerRecord<String, byte[]>> retryRecords() {
        return retryRecords;
    }

    /** The retry records whose key is {@code image}, in order (one key, one partition). */
    public List<ConsumerRecord<String, byte[]>> retryRecords(String image) {
        return retryRecords.stream().filter(r -> image.equals(r.key())).toList();
    }

    private void watch(String retryTopic, String deadLetterTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-watcher-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.IMAGE_STATUS, retryTopic, deadLetterTopic, Topics.WORKERS));
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    (r.topic().equals(Topics.IMAGE_STATUS) ? statusRecords
                            : r.topic().equals(Topics.WORKERS) ? beatRecords
                            : r.topic().equals(retryTopic) ? retryRecords : deadLetters).add(r);
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
        transactional.close();
        admin.close();
    }
}
