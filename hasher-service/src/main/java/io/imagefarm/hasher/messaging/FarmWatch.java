package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.board.BrokerHealth;
import io.imagefarm.hasher.board.FarmBoard;
import io.imagefarm.hasher.board.QueueLag;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Looks at the farm through a Kafka admin client, off the request path (the dashboard reads the
 * {@link FarmBoard}): each arch's worker groups' committed offsets against their topics' end offsets (and
 * the records in between, counted with a group-less consumer: see {@link QueueLag}), and the cluster's
 * brokers against the replicas and in-sync replicas of every pipeline topic ({@code imagefarm.*}). Each
 * call is bounded; what cannot be looked at is kept as the row's problem, and the next look tries again.
 * Used by one thread at a time.
 */
public final class FarmWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FarmWatch.class);
    private static final long CALL_TIMEOUT_MS = 4000;
    private static final String PIPELINE_TOPICS = "imagefarm.";

    /** Events not done are counted, not taken from offsets, up to this many offsets per arch and look. */
    static final long MAX_COUNTED = 10_000;

    private final Admin admin;
    private final Consumer<byte[], byte[]> counter;
    private final FarmBoard board;
    private final List<Arch> arches;
    private final Clock clock;
    private long lastFailureLog;

    public FarmWatch(Admin admin, Consumer<byte[], byte[]> counter, FarmBoard board, List<Arch> arches, Clock clock) {
        this.admin = admin;
        this.counter = counter;
        this.board = board;
        this.arches = arches;
        this.clock = clock;
    }

    /** An admin client from the service's Kafka settings, with short timeouts: a look that takes long is worth little. */
    public static Admin admin(Map<String, Object> kafka, String bootstrap, String instanceId) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "farm-watch-" + instanceId);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT_MS);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT_MS);
        return Admin.create(props);
    }

    /**
     * A consumer that counts the records of a queue not done yet: no group (it only assigns and seeks,
     * never commits), read_committed, short waits.
     */
    public static Consumer<byte[], byte[]> counter(Map<String, Object> kafka, String bootstrap, String instanceId) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "farm-watch-count-" + instanceId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT_MS);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT_MS);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** One look at the brokers and every arch's queues; never throws. */
    public void look() {
        Set<String> topics;
        try {
            topics = admin.listTopics().names().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            String problem = failed("the topics cannot be listed", e);
            board.onBrokersUnknown(problem, clock.instant());
            board.arches(arches).forEach(a -> board.onQueue(QueueLag.unknown(a, problem, clock.instant())));
            return;
        }
        lookAtBrokers(topics);
        for (Arch arch : board.arches(arches)) {
            board.onQueue(queue(arch, topics));
        }
    }

    private void lookAtBrokers(Set<String> topics) {
        try {
            DescribeClusterResult cluster = admin.describeCluster();
            List<BrokerHealth.Node> live = cluster.nodes().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).stream()
                    .map(n -> new BrokerHealth.Node(n.id(), n.host(), n.port())).toList();
            List<String> pipeline = topics.stream().filter(t -> t.startsWith(PIPELINE_TOPICS)).sorted().toList();
            Map<String, TopicDescription> described = pipeline.isEmpty() ? Map.of()
                    : admin.describeTopics(pipeline).allTopicNames().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            List<BrokerHealth.PartitionReplicas> partitions = new ArrayList<>();
            for (TopicDescription d : described.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    partitions.add(new BrokerHealth.PartitionReplicas(d.name(), p.partition(),
                            p.replicas().stream().map(Node::id).toList(), p.isr().stream().map(Node::id).toList()));
                }
            }
            board.onBrokers(live, partitions, clock.instant());
        } catch (Exception e) {
            board.onBrokersUnknown(failed("the brokers cannot be described", e), clock.instant());
        }
    }

    private QueueLag queue(Arch arch, Set<String> topics) {
        String queue = Topics.imageRequired(arch);
        if (!topics.contains(queue)) {
            return QueueLag.unknown(arch, "no work queue: " + queue + " does not exist (this hasher does not request "
                    + arch.id() + ")", clock.instant());
        }
        try {
            Uncommitted work = uncommitted(queue, Topics.workerGroup(arch));
            String retry = Topics.imageRequiredRetry(arch);
            Uncommitted retries = topics.contains(retry) ? uncommitted(retry, Topics.workerRetryGroup(arch)) : Uncommitted.NONE;
            Map<TopicPartition, long[]> ranges = new HashMap<>(work.ranges());
            ranges.putAll(retries.ranges());
            Long events = count(ranges);
            return new QueueLag(arch, work.lag(), topics.contains(retry) ? retries.lag() : null, events,
                    events == null ? "more than " + MAX_COUNTED + " events not done: not counted" : null, clock.instant());
        } catch (Exception e) {
            return QueueLag.unknown(arch, failed("the lag of " + Topics.workerGroup(arch) + " cannot be looked up", e),
                    clock.instant());
        }
    }

    /** A group's consumer lag on a topic, and per partition the offsets its uncommitted records lie between. */
    private record Uncommitted(long lag, Map<TopicPartition, long[]> ranges) {
        static final Uncommitted NONE = new Uncommitted(0, Map.of());
    }

    /** Every partition's end offset (read_committed) against the group's committed offset (or the log start). */
    private Uncommitted uncommitted(String topic, String group) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        }
        ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        Map<Integer, Long> ends = offsets(admin.listOffsets(latest, committedOnly));
        Map<Integer, Long> starts = offsets(admin.listOffsets(earliest, committedOnly));
        Map<Integer, Long> committed = committed(topic, group);
        Map<TopicPartition, long[]> ranges = new HashMap<>();
        ends.forEach((partition, end) -> {
            long from = QueueLag.from(partition, starts, committed);
            if (end > from) {
                ranges.put(new TopicPartition(topic, partition), new long[] {from, end});
            }
        });
        return new Uncommitted(QueueLag.sum(ends, starts, committed), ranges);
    }

    /** The group's committed offsets on the topic; a group that does not exist (yet, or any more) has committed none. */
    private Map<Integer, Long> committed(String topic, String group) throws Exception {
        Map<Integer, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try {
            offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return committed;
            }
            throw e;
        }
        offsets.forEach((tp, o) -> {
            if (tp.topic().equals(topic) && o != null) {
                committed.put(tp.partition(), o.offset());
            }
        });
        return committed;
    }

    /**
     * The records (read_committed: transaction markers and aborted records are skipped) in the given offset
     * ranges, read with this watch's own consumer; null when the ranges span more than {@link #MAX_COUNTED}
     * offsets, or the read does not finish within the call timeout.
     */
    private Long count(Map<TopicPartition, long[]> ranges) {
        long span = ranges.values().stream().mapToLong(r -> r[1] - r[0]).sum();
        if (span == 0) {
            return 0L;
        }
        if (span > MAX_COUNTED) {
            return null;
        }
        try {
            counter.assign(ranges.keySet());
            ranges.forEach((tp, r) -> counter.seek(tp, r[0]));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CALL_TIMEOUT_MS);
            long records = 0;
            while (ranges.entrySet().stream().anyMatch(e -> counter.position(e.getKey()) < e.getValue()[1])) {
                if (System.nanoTime() > deadline) {
                    return null;
                }
                for (ConsumerRecord<byte[], byte[]> r : counter.poll(Duration.ofMillis(200))) {
                    long[] range = ranges.get(new TopicPartition(r.topic(), r.partition()));
                    if (range != null && r.offset() < range[1]) {
                        records++;
                    }
                }
            }
            return records;
        } finally {
            counter.assign(List.of());
        }
    }

    private static Map<Integer, Long> offsets(ListOffsetsResult result) throws Exception {
        Map<Integer, Long> byPartition = new HashMap<>();
        result.all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).forEach((tp, info) -> byPartition.put(tp.partition(), info.offset()));
        return byPartition;
    }

    /** What the page says about a failed look; logged at most once a minute. */
    private synchronized String failed(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        String problem = what + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        if (lastFailureLog == 0 || System.nanoTime() - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
            lastFailureLog = System.nanoTime();
            LOG.infof("farm watch: %s; the dashboard shows the last view (logged at most once a minute)", problem);
        }
        return problem;
    }

    /** Once no look runs any more (the consumer is used by the looking thread only). */
    @Override
    public void close() {
        counter.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }
}
