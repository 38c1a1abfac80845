package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.resolve.Publication;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.hasher.resolve.Publisher;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Group commit: publications (proposed requests, statuses) from concurrent requests queue up, and one publisher thread commits
 * everything queued in one Kafka transaction, so throughput is not one transaction per request. Each
 * publication is still all-or-nothing (a transaction never commits half of it), each submitter's
 * future completes only after its batch committed (the HTTP answer follows Kafka's acknowledgement),
 * and a failed batch fails exactly its publications. No caller holds a lock while Kafka works. The
 * producer is idempotent with acks=all (application.properties).
 */
@Singleton
public class KafkaPublisher implements Publisher {

    private static final Logger LOG = Logger.getLogger(KafkaPublisher.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(20);
    /** Publications per transaction at most: bounds a transaction's size and a failure's reach. */
    static final int MAX_BATCH = 500;
    /** Publications waiting at most; beyond, submit fails at once (503) rather than queue without bound. */
    static final int QUEUE_CAPACITY = 10_000;

    private record Pending(Publication publication, CompletableFuture<Void> committed) {
    }

    private final KafkaTransactions<String> transactions;
    private final MeterRegistry metrics;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final DistributionSummary batchSizes;
    private final Thread thread;
    private volatile boolean stopped;

    public KafkaPublisher(@Channel(Channels.OUT) KafkaTransactions<String> transactions, MeterRegistry metrics) {
        this.transactions = transactions;
        this.metrics = metrics;
        this.batchSizes = DistributionSummary.builder("imagefarm.hasher.publish.batch")
                .description("publications committed per Kafka transaction (group commit)").register(metrics);
        this.thread = new Thread(this::run, "hasher-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public CompletableFuture<Void> submit(Publication publication) {
        if (publication.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        if (stopped || !queue.offer(new Pending(publication, committed))) {
            committed.completeExceptionally(new PublishFailedException(stopped ? "the hasher is shutting down"
                    : "too many publications are waiting for Kafka (" + QUEUE_CAPACITY + "); retry shortly", null));
        }
        return committed;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!stopped) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            commit(batch);
            batch.clear();
        }
        PublishFailedException down = new PublishFailedException("the hasher is shutting down", null);
        batch.forEach(p -> p.committed().completeExceptionally(down));
        queue.forEach(p -> p.committed().completeExceptionally(down));
    }

    private void commit(List<Pending> batch) {
        try {
            transactions.withTransaction(emitter -> {
                for (Pending p : batch) {
                    for (ImageRequired request : p.publication().requests()) {
                        emitter.send(record(Topics.IMAGE_REQUESTS, Topics.requestKey(Arch.parse(request.platform())),
                                EventCodec.encodeToString(request)));
                    }
                    for (ImageStatus status : p.publication().statuses()) {
                        emitter.send(record(Topics.IMAGE_STATUS, status.image(), EventCodec.encodeToString(status)));
                    }
                    for (String key : p.publication().forget()) {
                        emitter.send(record(Topics.IMAGE_STATUS, key, null)); // a tombstone: compaction forgets the key
                    }
                }
                return Uni.createFrom().voidItem();
            }).await().atMost(COMMIT_TIMEOUT);
        } catch (RuntimeException e) {
            int requests = batch.stream().mapToInt(p -> p.publication().requests().size()).sum();
            LOG.warnf("Kafka did not commit a batch of %d publication(s) (%d request(s)); each caller gets 503: %s",
                    batch.size(), requests, e.getMessage());
            PublishFailedException failed = new PublishFailedException("Kafka did not commit the publication: " + e.getMessage(), e);
            batch.forEach(p -> p.committed().completeExceptionally(failed));
            return;
        }
        batchSizes.record(batch.size());
        for (Pending p : batch) {
            for (ImageRequired request : p.publication().requests()) {
                metrics.counter("imagefarm.hasher.requests.proposed", "arch", Arch.parse(request.platform()).id()).increment();
            }
            p.committed().complete(null);
        }
    }

    private static Message<String> record(String topic, String key, String json) {
        return Message.of(json).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withTopic(topic).withKey(key).build());
    }

    @PreDestroy
    void stop() {
        stopped = true;
        thread.interrupt();
    }
}
