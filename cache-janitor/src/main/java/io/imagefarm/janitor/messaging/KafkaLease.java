package io.imagefarm.janitor.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.janitor.job.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Makes sure two janitor replicas never both run: a lease held through Kafka's group membership.
 *
 * <p>How: a topic with exactly <b>one</b> partition ({@code imagefarm.janitor-lease}) and one consumer
 * group ({@code imagefarm-cache-janitor}) that every replica joins. Kafka assigns a partition to exactly
 * one member of a group, so with one partition exactly one replica holds it: that replica is the leader.
 * The cooperative-sticky assignor keeps it where it is when replicas join, so leadership does not flap.
 *
 * <p>Assignment alone is not proof: a replica cut off from the broker still believes it is assigned while
 * the group, once the session times out, hands the partition to another. So the lease thread renews: it
 * commits an offset for the partition every {@code sessionTimeout/5}. A commit succeeds only for a
 * current member of the current generation, so a successful commit proves that at the moment it was sent
 * nobody else held the partition, and nobody can get it before this member's session expires, which is
 * at least {@code sessionTimeout} after its last contact. {@link #held()} is true only within half a
 * session timeout of the last confirmed renewal. A run checks it before every single deletion.
 */
public final class KafkaLease implements Lease, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaLease.class);

    private final Map<String, Object> kafkaConfig;
    private final String topic;
    private final String groupId;
    private final Duration sessionTimeout;
    private final Clock clock;
    private final TopicPartition partition;
    private volatile boolean running;
    private volatile boolean assigned;
    private volatile Instant confirmedAt;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;

    public KafkaLease(Map<String, Object> kafkaConfig, String topic, String groupId, Duration sessionTimeout, Clock clock) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topic = topic;
        this.groupId = groupId;
        this.sessionTimeout = sessionTimeout;
        this.clock = clock;
        this.partition = new TopicPartition(topic, 0);
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        ensureSinglePartitionTopic();
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, sessionTimeout.toMillis() / 10));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(topic));
        running = true;
        thread = DaemonThreads.thread("janitor-lease", this::loop);
        thread.start();
    }

    /** True only while this replica holds the partition and renewed it within half a session timeout. */
    @Override
    public boolean held() {
        Instant confirmed = confirmedAt;
        return assigned && confirmed != null && clock.instant().isBefore(confirmed.plus(sessionTimeout.dividedBy(2)));
    }

    @Override
    public String describe() {
        return held() ? "held (renewed " + confirmedAt + ")" : assigned ? "assigned, not confirmed" : "held by another replica or not yet acquired";
    }

    private void loop() {
        Duration renewEvery = sessionTimeout.dividedBy(5);
        Instant nextRenew = Instant.MIN;
        try {
            while (running) {
                consumer.poll(Duration.ofMillis(100));
                boolean nowAssigned = consumer.assignment().contains(partition);
                if (nowAssigned != assigned) {
                    LOG.infof("janitor lease %s: %s", topic, nowAssigned ? "assigned to this replica" : "no longer assigned here");
                    confirmedAt = null;
                    nextRenew = Instant.MIN;
                }
                assigned = nowAssigned;
                if (!nowAssigned) {
                    confirmedAt = null;
                    continue;
                }
                Instant now = clock.instant();
                if (!now.isBefore(nextRenew)) {
                    try {
                        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0, "janitor lease")), sessionTimeout.dividedBy(2));
                        confirmedAt = now;
                    } catch (WakeupException e) {
                        throw e;
                    } catch (KafkaException e) {
                        confirmedAt = null;
                        LOG.warnf("janitor lease %s: renewal failed, not leading until it succeeds: %s", topic, e.getMessage());
                    }
                    nextRenew = now.plus(renewEvery);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "janitor lease %s: loop stopped; this replica will not run", topic);
        } finally {
            assigned = false;
            confirmedAt = null;
            try {
                consumer.close(Duration.ofSeconds(5)); // leaves the group: another replica takes over at once
            } catch (RuntimeException e) {
                LOG.debugf("janitor lease close: %s", e.getMessage());
            }
        }
    }

    private void ensureSinglePartitionTopic() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        try (Admin admin = Admin.create(props)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create lease topic " + topic + ": " + e.getCause().getMessage(), e);
                }
            }
            TopicDescription d = describeOnceVisible(admin);
            if (d.partitions().size() != 1) {
                throw new IllegalStateException("lease topic " + topic + " has " + d.partitions().size()
                        + " partitions; it must have exactly 1, or several replicas could lead at once");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing lease topic " + topic, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot prepare lease topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /** A topic just created is not in every broker's metadata at once: ask again for a few seconds. */
    private TopicDescription describeOnceVisible(Admin admin)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
