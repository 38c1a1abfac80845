package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.config.HasherConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Topics are infrastructure: brokers run with {@code auto.create.topics.enable=false}, and this creates
 * every topic of the pipeline once, with its configured partitions, replicas and
 * {@code min.insync.replicas}, before the messaging channels start (so before any consumer subscribes).
 * Existing topics are checked: a work queue with fewer partitions than configured is grown (its events
 * carry no order between keys); any other shortfall is kept in {@link #problems()}, and readiness is
 * DOWN naming the topic.
 */
@ApplicationScoped
public class TopicsInitializer {

    private static final Logger LOG = Logger.getLogger(TopicsInitializer.class);

    private volatile List<String> problems = List.of();

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored, HasherConfig config,
                 @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                 @io.smallrye.common.annotation.Identifier("default-kafka-broker") Map<String, Object> kafka) {
        HasherConfig.Topics t = config.topics();
        int partitions = t.partitions();
        short replicas = t.replicationFactor();
        Map<String, String> durable = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(t.minInsyncReplicas()));
        Map<String, String> compacted = new HashMap<>(durable);
        compacted.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(Topics.IMAGE_STATUS, partitions, replicas).configs(compacted));
        wanted.add(new NewTopic(Topics.IMAGE_REQUESTS, partitions, replicas).configs(durable));
        wanted.add(new NewTopic(Topics.JANITOR_REPORTS, 1, replicas).configs(durable));
        wanted.add(new NewTopic(Topics.WORKERS, partitions, replicas).configs(compacted));
        List<String> workQueues = new ArrayList<>();
        for (Arch a : config.arches()) {
            wanted.add(new NewTopic(Topics.imageRequired(a), partitions, replicas).configs(durable));
            wanted.add(new NewTopic(Topics.imageRequiredRetry(a), partitions, replicas).configs(durable));
            wanted.add(new NewTopic(Topics.imageRequiredDeadLetter(a), 1, replicas).configs(durable));
            workQueues.add(Topics.imageRequired(a));
            workQueues.add(Topics.imageRequiredRetry(a));
        }
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(n -> !existing.contains(n.name())).toList();
            if (!missing.isEmpty() && t.create()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    LOG.infof("created topics %s (%d partitions, %d replicas, min.insync.replicas=%d)",
                            missing.stream().map(NewTopic::name).toList(), partitions, replicas, t.minInsyncReplicas());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another replica created them meanwhile: fine, checked below
                    }
                }
            }
            Map<String, TopicDescription> described = describe(admin, wanted);
            List<String> found = new ArrayList<>();
            for (NewTopic n : wanted) {
                TopicDescription d = described.get(n.name());
                if (d == null) {
                    found.add(n.name() + " does not exist" + (t.create() ? "" : " (imagefarm.hasher.topics.create is off)")
                            + ": create it with " + n.numPartitions() + " partitions and " + replicas + " replicas");
                    continue;
                }
                int have = d.partitions().size();
                if (have < n.numPartitions() && workQueues.contains(n.name()) && t.create()) {
                    admin.createPartitions(Map.of(n.name(), NewPartitions.increaseTo(n.numPartitions()))).all()
                            .get(30, TimeUnit.SECONDS);
                    LOG.infof("grew %s from %d to %d partitions (imagefarm.hasher.topics.partitions)", n.name(), have,
                            n.numPartitions());
                } else if (have < n.numPartitions()) {
                    found.add(n.name() + " has " + have + " partitions, fewer than the " + n.numPartitions() + " configured");
                }
                int leastReplicas = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
                if (leastReplicas < replicas) {
                    found.add(n.name() + " has " + leastReplicas + " replicas, fewer than the " + replicas + " configured");
                }
            }
            problems = List.copyOf(found);
            if (!found.isEmpty()) {
                LOG.errorf("the pipeline's topics are not as configured; readiness stays DOWN: %s", found);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up the pipeline's Kafka topics at " + bootstrap + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the pipeline's Kafka topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the pipeline's Kafka topics at " + bootstrap + ": " + e, e);
        }
    }

    /**
     * Describes every wanted topic; one just created may be unknown to the broker answering for a moment
     * (its metadata has not reached it yet), so unknown topics are asked again for up to 15 s.
     */
    private static Map<String, TopicDescription> describe(Admin admin, List<NewTopic> wanted) throws Exception {
        Map<String, TopicDescription> described = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            for (NewTopic n : wanted) {
                if (described.get(n.name()) != null) {
                    continue;
                }
                try {
                    described.put(n.name(), admin.describeTopics(List.of(n.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                            .get(n.name()));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    described.put(n.name(), null);
                }
            }
            if (!described.containsValue(null) || System.nanoTime() > deadline) {
                return described;
            }
            Thread.sleep(250); // metadata propagation between brokers: a bounded wait at start-up
        }
    }

    /** Topics short of partitions or replicas, or missing; empty when every topic is as configured. */
    public List<String> problems() {
        return problems;
    }
}
