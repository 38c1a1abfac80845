package io.imagefarm.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.testsupport.SharedParts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MarkerCommitter} on the real broker: a group member that processes records written in
 * transactions, as the hashers write the work queue, and the lag KEDA's Kafka scaler computes from it
 * (the partition's end offset, read_uncommitted, minus the group's committed offset).
 */
class MarkerCommitterIT {

    private final String bootstrap = SharedParts.kafka().bootstrapServers();
    private final String topic = "marker-" + UUID.randomUUID();
    private final String group = "builder-test-" + UUID.randomUUID();
    private final TopicPartition tp = new TopicPartition(topic, 0);
    private final DeliveredOffsets delivered = new DeliveredOffsets();
    private Admin admin;
    private KafkaConsumer<byte[], byte[]> member;
    private MarkerCommitter committer;

    @BeforeEach
    void parts() throws Exception {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        member = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        member.subscribe(List.of(topic));
        committer = new MarkerCommitter(MarkerCommitter.reader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "must-be-dropped"), "marker-test"), delivered, Duration.ofSeconds(10));
    }

    @AfterEach
    void close() {
        committer.close();
        member.close();
        admin.close();
    }

    @Test
    void idlePartitionIsCommittedPastTheMarkerOfItsLastTransactionSoKedasLagReadsZero() throws Exception {
        transaction(true, "a", "b");
        process(2);
        assertThat(kedaLag()).as("end offset minus committed, the marker after b").isEqualTo(1);

        List<MarkerCommitter.Gap> moved = committer.commitIdle(task -> task.accept(member));

        assertThat(moved).containsExactly(new MarkerCommitter.Gap(tp, 2, 3));
        assertThat(kedaLag()).isZero();
        assertThat(committer.commitIdle(task -> task.accept(member))).as("nothing left to move").isEmpty();
    }

    @Test
    void recordNotYetProcessedIsNeverPassed() throws Exception {
        transaction(true, "a", "b", "c");
        process(1);

        assertThat(committer.commitIdle(task -> task.accept(member))).isEmpty();

        assertThat(committed()).isEqualTo(1);
        assertThat(kedaLag()).isEqualTo(3);
    }

    @Test
    void recordDeliveredToTheHandlerAndNotCommittedBlocksTheCommit() throws Exception {
        transaction(true, "a");
        process(1);
        transaction(true, "b"); // offset 2; its handler holds it (a build in flight, or left unacknowledged)
        ConsumerRecord<byte[], byte[]> held = poll();
        delivered.delivered(tp, held.offset());

        assertThat(committer.commitIdle(task -> task.accept(member))).isEmpty();

        assertThat(committed()).isEqualTo(1);
    }

    @Test
    void abortedRecordsAreMarkersAlikeAndArePassed() throws Exception {
        transaction(true, "a");
        process(1);
        transaction(false, "never"); // offset 2 aborted, its abort marker at 3
        // abortTransaction() returns once the coordinator has logged the abort; it writes the marker after.
        await("the abort marker at offset 3").atMost(Duration.ofSeconds(30)).until(() -> kedaLag() == 3);

        assertThat(committer.commitIdle(task -> task.accept(member))).containsExactly(new MarkerCommitter.Gap(tp, 1, 4));

        assertThat(kedaLag()).isZero();
    }

    @Test
    void openTransactionIsNotPassedAndItsRecordIsConsumedOnceCommitted() throws Exception {
        transaction(true, "a");
        process(1);
        try (KafkaProducer<byte[], byte[]> open = producer()) {
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, 0, null, "late".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);

            assertThat(committer.commitIdle(task -> task.accept(member)))
                    .as("only the marker before the open transaction's first record (offset 2)")
                    .containsExactly(new MarkerCommitter.Gap(tp, 1, 2));
            open.commitTransaction();
        }
        assertThat(new String(poll().value(), StandardCharsets.UTF_8)).isEqualTo("late");
    }

    @Test
    void aCommitBelowTheLogStartIsNeverMovedOverTheRecordsStillThere() throws Exception {
        transaction(true, "a"); // 0, marker 1
        process(1);
        transaction(true, "b"); // 2, marker 3
        transaction(true, "c"); // 4, marker 5
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(2))).all().get(30, TimeUnit.SECONDS);

        assertThat(committer.commitIdle(task -> task.accept(member))).as("b and c are still to be done").isEmpty();

        assertThat(committed()).isEqualTo(1);
    }

    private void transaction(boolean commit, String... values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.beginTransaction();
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, 0, null, v.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "marker-test-" + UUID.randomUUID());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    /** Takes {@code n} records as the worker does: each delivered to the handler, processed, committed (offset + 1). */
    private void process(int n) {
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = poll();
            delivered.delivered(tp, r.offset());
            member.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
        }
    }

    private ConsumerRecord<byte[], byte[]> poll() {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        await("a record of " + topic).atMost(Duration.ofSeconds(30)).until(() -> {
            member.poll(Duration.ofMillis(200)).forEach(got::add);
            return !got.isEmpty();
        });
        assertThat(got).hasSize(1); // max.poll.records=1
        return got.get(0);
    }

    private long committed() throws Exception {
        OffsetAndMetadata at = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS).get(tp);
        return Optional.ofNullable(at).map(OffsetAndMetadata::offset).orElse(-1L);
    }

    /** KEDA's Kafka scaler: the partition's newest offset (high watermark, markers included) minus the committed one. */
    private long kedaLag() throws Exception {
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
        return end - committed();
    }
}
