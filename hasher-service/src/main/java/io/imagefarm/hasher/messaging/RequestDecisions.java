package io.imagefarm.hasher.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.hasher.resolve.RequestDecider;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The Kafka side of the {@link RequestDecider}: every replica is a member of the consumer group
 * {@value #GROUP} on {@link Topics#IMAGE_REQUESTS}; for the partitions it owns it reads the proposals,
 * decides them in order, and commits the accepted events, their REQUESTED statuses and the proposals'
 * offsets in one transaction (consume-transform-produce). A partition that moves to another replica
 * is decided there from the next uncommitted proposal; the previous owner, if it still runs, is fenced
 * by the group generation and its open transaction aborted. Before deciding on partitions it has just
 * taken over, the replica waits until its book has taken in the status topic up to its end, so it
 * knows every decision the previous owner committed. An accepted event goes to a partition of the
 * arch's least loaded worker ({@link io.imagefarm.hasher.resolve.QueuePlacement}), so it does not wait
 * behind a busy worker while another one idles.
 */
@ApplicationScoped
public class RequestDecisions {

    static final String GROUP = "imagefarm-hasher-deciders";
    private static final Logger LOG = Logger.getLogger(RequestDecisions.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);
    /** How often the worker groups are looked at, off the decision path (own placements are added between looks). */
    private static final Duration PLACEMENT_LOOK_INTERVAL = Duration.ofMillis(500);

    private final RequestDecider decider;
    private final StatusPositions applied;
    private final KafkaClientService clients;
    private final MeterRegistry metrics;
    private final Map<String, Object> kafka;
    private final String instanceId;
    private final List<Arch> arches;
    private volatile boolean stopped;
    private volatile boolean takenOver;
    private Thread thread;

    public RequestDecisions(RequestDecider decider, StatusPositions applied, KafkaClientService clients, MeterRegistry metrics,
                            @Identifier("default-kafka-broker") Map<String, Object> kafka, HasherConfig config,
                            List<Arch> arches) {
        this.decider = decider;
        this.applied = applied;
        this.clients = clients;
        this.metrics = metrics;
        this.kafka = kafka;
        this.instanceId = config.instanceId();
        this.arches = arches;
    }

    void start(@Observes StartupEvent event) {
        thread = DaemonThreads.thread("request-decider", this::run);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopped = true;
        if (thread != null) {
            thread.join(10_000); // leaves the group, so another replica takes the partitions over at once
        }
    }

    private void run() {
        while (!stopped) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps());
                 KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps());
                 Admin admin = Admin.create(adminProps());
                 WorkQueueLoad load = new WorkQueueLoad(admin, arches, PLACEMENT_LOOK_INTERVAL, queueReaderProps())) {
                producer.initTransactions();
                consumer.subscribe(List.of(Topics.IMAGE_REQUESTS), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        if (!partitions.isEmpty()) {
                            takenOver = true;
                            LOG.infof("deciding requests of %s", partitions);
                        }
                    }
                });
                while (!stopped) {
                    ConsumerRecords<String, String> records = consumer.poll(POLL);
                    if (takenOver) {
                        awaitBookCaughtUp(consumer, admin);
                        takenOver = false;
                    }
                    if (!records.isEmpty()) {
                        decide(consumer, producer, load, records);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (stopped) {
                    break;
                }
                // Fenced, rebalanced mid-transaction, or Kafka away: nothing of the batch was committed; the
                // proposals are read again (here or by the partition's next owner) after a fresh start.
                metrics.counter("imagefarm.hasher.decider.restarts").increment();
                LOG.warnf("request decider restarts: %s", e.toString());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    private void decide(KafkaConsumer<String, String> consumer, KafkaProducer<String, String> producer, WorkQueueLoad load,
                        ConsumerRecords<String, String> records) {
        RequestDecider.Batch batch = decider.batch();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        producer.beginTransaction();
        try {
            for (ConsumerRecord<String, String> record : records) {
                offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                ImageRequired proposal;
                try {
                    proposal = validated(record);
                } catch (InvalidEventException e) {
                    metrics.counter("imagefarm.hasher.requests.invalid").increment();
                    LOG.warnf("dropping an invalid request at %s-%d@%d: %s", record.topic(), record.partition(),
                            record.offset(), e.getMessage());
                    continue;
                }
                var accepted = batch.offer(proposal);
                if (accepted.isEmpty()) {
                    metrics.counter("imagefarm.hasher.dedup_hits", "where", "decider").increment();
                    continue;
                }
                Arch arch = Arch.parse(proposal.platform());
                Optional<WorkQueueLoad.Placed> placed = load.place(arch);
                metrics.counter("imagefarm.hasher.events.placed", "arch", arch.id(),
                        "by", placed.isPresent() ? "least-loaded-worker" : "key").increment();
                producer.send(new ProducerRecord<>(Topics.imageRequired(arch), placed.map(WorkQueueLoad.Placed::partition).orElse(null),
                        proposal.image(), EventCodec.encodeToString(proposal)), (written, failure) ->
                        placed.ifPresent(p -> p.written(failure == null ? written.offset() : -1)));
                producer.send(new ProducerRecord<>(Topics.IMAGE_STATUS, proposal.image(), EventCodec.encodeToString(accepted.get())));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abort) {
                e.addSuppressed(abort); // fenced: the producer is closed with the consumer
            }
            throw e;
        }
        batch.applyTo();
        for (ImageRequired event : batch.events()) {
            metrics.counter("imagefarm.hasher.events.published", "arch", Arch.parse(event.platform()).id()).increment();
        }
    }

    /** The requests topic is untrusted input like any other: what the workers would refuse never becomes an event. */
    private static ImageRequired validated(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            throw new InvalidEventException("no value");
        }
        ImageRequired proposal = EventCodec.decode(record.value(), ImageRequired.class);
        try {
            ImageRef.parse(proposal.image());
            Arch.parse(proposal.platform());
        } catch (RuntimeException e) {
            throw new InvalidEventException("ImageRequired: " + e.getMessage());
        }
        // one arch's proposals all on one partition, one owner: decided in order, and placed by one replica
        String key = Topics.requestKey(Arch.parse(proposal.platform()));
        if (!key.equals(record.key())) {
            throw new InvalidEventException("ImageRequired: key " + record.key() + " is not its arch " + key);
        }
        return proposal;
    }

    /**
     * Waits until the book has applied the status topic up to the end offsets seen now (read_committed: the
     * previous owner's decisions are committed or aborted by then, its offsets fetched as stable). A
     * partition whose last offsets hold transaction markers or aborted records has nothing to apply past
     * its last record: it counts as caught up once the status consumer fetched past the end and nothing
     * more was applied for a moment.
     */
    private void awaitBookCaughtUp(KafkaConsumer<String, String> consumer, Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        consumer.partitionsFor(Topics.IMAGE_STATUS).forEach(p -> latest.put(new TopicPartition(p.topic(), p.partition()),
                OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        Map<TopicPartition, Long> lastApplied = new HashMap<>();
        Map<TopicPartition, Integer> stable = new HashMap<>();
        while (!stopped) {
            Map<TopicPartition, Long> fetched = fetchedPositions();
            boolean all = true;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                TopicPartition p = end.getKey();
                long next = applied.next(p);
                if (next >= end.getValue()) {
                    continue;
                }
                boolean quiet = lastApplied.containsKey(p) && lastApplied.get(p) == next;
                stable.put(p, quiet ? stable.getOrDefault(p, 0) + 1 : 0);
                lastApplied.put(p, next);
                if (fetched.getOrDefault(p, -1L) < end.getValue() || stable.get(p) < 3) {
                    all = false;
                }
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the status book did not reach " + ends + " within " + CATCH_UP_LIMIT);
            }
            Thread.sleep(50); // a bounded wait on another thread's progress; no Awaitility in main code
        }
    }

    private Map<TopicPartition, Long> fetchedPositions() {
        var status = clients.getConsumer(Channels.STATUS_IN);
        if (status == null) {
            return Map.of();
        }
        return status.getPositions().await().atMost(Duration.ofSeconds(5));
    }

    private Properties consumerProps() {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "request-decider-" + instanceId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // A replica that dies holds its partitions this long at most; proposals for them wait meanwhile.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        return props;
    }

    /** Counts the events queued in the work queues (no group: it commits nothing, reads what is there). */
    private Properties queueReaderProps() {
        Properties props = new Properties();
        props.putAll(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "request-decider-queues-" + instanceId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        return props;
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "request-decider-admin-" + instanceId);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        return props;
    }

    private Properties producerProps() {
        return TransactionalProducers.props(kafka, "imagefarm-hasher-decider-" + instanceId);
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }
}
