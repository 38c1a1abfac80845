package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.board.BrokerHealth;
import io.imagefarm.hasher.board.FarmBoard;
import io.imagefarm.hasher.board.QueueLag;
import java.time.Clock;
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
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.jboss.logging.Logger;

/**
 * Looks at the farm through a Kafka admin client, off the request path (the dashboard reads the
 * {@link FarmBoard}): each arch's worker groups' committed offsets against their topics' end offsets, and
 * the cluster's brokers against the replicas and in-sync replicas of every pipeline topic
 * ({@code imagefarm.*}). Each call is bounded; what cannot be looked at is kept as the row's problem, and
 * the next look tries again.
 */
public final class FarmWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FarmWatch.class);
    private static final long CALL_TIMEOUT_MS = 4000;
    private static final String PIPELINE_TOPICS = "imagefarm.";

    private final Admin admin;
    private final FarmBoard board;
    private final List<Arch> arches;
    private final Clock clock;
    private long lastFailureLog;

    public FarmWatch(Admin admin, FarmBoard board, List<Arch> arches, Clock clock) {
        this.admin = admin;
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
            long lag = lag(queue, Topics.workerGroup(arch));
            String retry = Topics.imageRequiredRetry(arch);
            Long retryLag = topics.contains(retry) ? lag(retry, Topics.workerRetryGroup(arch)) : null;
            return new QueueLag(arch, lag, retryLag, null, clock.instant());
        } catch (Exception e) {
            return QueueLag.unknown(arch, failed("the lag of " + Topics.workerGroup(arch) + " cannot be looked up", e),
                    clock.instant());
        }
    }

    /** The group's lag on the topic: every partition's end offset (read_committed) minus its committed offset. */
    private long lag(String topic, String group) throws Exception {
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
        Map<Integer, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        offsets.forEach((tp, o) -> {
            if (tp.topic().equals(topic) && o != null) {
                committed.put(tp.partition(), o.offset());
            }
        });
        return QueueLag.sum(ends, starts, committed);
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

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
