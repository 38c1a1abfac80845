package io.imagefarm.hasher.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.hasher.resolve.Publication;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.hasher.resolve.Publisher;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Group commit: publications (proposed requests, statuses) from concurrent requests queue up, and one publisher thread commits
 * everything queued in one Kafka transaction, so throughput is not one transaction per request. Each
 * publication is still all-or-nothing (a transaction never commits half of it), each submitter's
 * future completes only after its batch committed (the HTTP answer follows Kafka's acknowledgement),
 * and a failed batch fails exactly its publications. No caller holds a lock while Kafka works.
 *
 * <p>A plain transactional producer (idempotent, acks=all), as {@link RequestDecisions} has: a batch that fails is
 * aborted if it can be, and the producer is replaced by a new one before the next batch, whose
 * {@code initTransactions} settles whatever the old one left open. A failure is therefore never followed by an
 * abort of a transaction that was not begun. On shutdown no publication is taken any more, and those already
 * taken are committed (within {@link #DRAIN_LIMIT}) before the producer closes.
 */
@Singleton
public class KafkaPublisher implements Publisher {

    private static final Logger LOG = Logger.getLogger(KafkaPublisher.class);
    /** Publications per transaction at most: bounds a transaction's size and a failure's reach. */
    static final int MAX_BATCH = 500;
    /** Publications waiting at most; beyond, submit fails at once (503) rather than queue without bound. */
    static final int QUEUE_CAPACITY = 10_000;
    /** How long shutdown waits for the publications already taken to commit. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(15);

    private record Pending(Publication publication, CompletableFuture<Void> committed) {
    }

    private final Supplier<Producer<String, String>> producers;
    private final MeterRegistry metrics;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final DistributionSummary batchSizes;
    private final Thread thread;
    /** Set under this object's lock, with which submit checks it: nothing is queued after it is set. */
    private volatile boolean stopped;
    /** Only the publisher thread touches it. */
    private Producer<String, String> producer;

    @Inject
    public KafkaPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, HasherConfig config, MeterRegistry metrics) {
        this(() -> new KafkaProducer<>(TransactionalProducers.props(kafka, "imagefarm-hasher-" + config.instanceId())), metrics, MAX_BATCH);
        start();
    }

    /** Not started: a test queues publications first, so it knows what the first batch holds. */
    KafkaPublisher(Supplier<Producer<String, String>> producers, MeterRegistry metrics, int maxBatch) {
        this.producers = producers;
        this.metrics = metrics;
        this.maxBatch = maxBatch;
        this.batchSizes = DistributionSummary.builder("imagefarm.hasher.publish.batch")
                .description("publications committed per Kafka transaction (group commit)").register(metrics);
        this.thread = DaemonThreads.thread("hasher-publisher", this::run);
    }

    void start() {
        thread.start();
    }

    @Override
    public CompletableFuture<Void> submit(Publication publication) {
        if (publication.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        boolean queued;
        synchronized (this) {
            queued = !stopped && queue.offer(new Pending(publication, committed));
        }
        if (!queued) {
            committed.completeExceptionally(new PublishFailedException(stopped ? "the hasher is shutting down"
                    : "too many publications are waiting for Kafka (" + QUEUE_CAPACITY + "); retry shortly", null));
        }
        return committed;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (!stopped || !queue.isEmpty()) {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            PublishFailedException down = new PublishFailedException("the hasher is shutting down", null);
            batch.forEach(p -> p.committed().completeExceptionally(down));
            queue.forEach(p -> p.committed().completeExceptionally(down));
            queue.clear();
            closeProducer();
        }
    }

    private void commit(List<Pending> batch) {
        boolean begun = false;
        try {
            if (producer == null) {
                producer = producers.get();
                producer.initTransactions();
            }
            producer.beginTransaction();
            begun = true;
            for (Pending p : batch) {
                for (ImageRequired request : p.publication().requests()) {
                    send(new ProducerRecord<>(Topics.IMAGE_REQUESTS, Topics.requestKey(Arch.parse(request.platform())),
                            EventCodec.encodeToString(request)));
                }
                for (ImageStatus status : p.publication().statuses()) {
                    send(new ProducerRecord<>(Topics.IMAGE_STATUS, status.image(), EventCodec.encodeToString(status)));
                }
                for (String key : p.publication().forget()) {
                    send(new ProducerRecord<>(Topics.IMAGE_STATUS, key, null)); // a tombstone: compaction forgets the key
                }
            }
            producer.commitTransaction(); // flushes first; fails if any send of the batch failed
        } catch (RuntimeException e) {
            fail(batch, e, begun);
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

    /**
     * Sends one record of the batch. A send that failed before it left (no metadata within max.block.ms: Kafka away; a
     * record too large) fails the batch at once, rather than each further send waiting max.block.ms in turn.
     */
    private void send(ProducerRecord<String, String> record) {
        Future<RecordMetadata> sent = producer.send(record);
        if (sent.isDone()) {
            try {
                sent.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new KafkaException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
    }

    /**
     * Fails the batch's publications, and only those, at once; then aborts the transaction if Kafka answers, and the next
     * batch starts on a new producer.
     */
    private void fail(List<Pending> batch, RuntimeException e, boolean begun) {
        metrics.counter("imagefarm.hasher.publish.failed").increment();
        int requests = batch.stream().mapToInt(p -> p.publication().requests().size()).sum();
        LOG.warnf("Kafka did not commit a batch of %d publication(s) (%d request(s)); each caller gets 503: %s",
                batch.size(), requests, e.getCause() != null ? e + " (" + e.getCause() + ")" : e.toString());
        PublishFailedException failed = new PublishFailedException("Kafka did not commit the publication: " + e.getMessage(), e);
        batch.forEach(p -> p.committed().completeExceptionally(failed));
        // The abort ends the transaction at once for read_committed readers. When Kafka did not answer in time it would
        // only wait max.block.ms more; then the new producer's init, or the transaction timeout, ends it.
        if (begun && !timedOut(e)) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abort) {
                e.addSuppressed(abort); // a commit that went through after all, a fenced producer: the new producer settles it
            }
        }
        closeProducer();
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("closing the Kafka producer: %s", e);
            }
            producer = null;
        }
    }

    /** Takes no more publications, commits those already taken, then closes the producer. */
    @PreDestroy
    void stop() {
        synchronized (this) {
            stopped = true;
        }
        try {
            thread.join(DRAIN_LIMIT.toMillis());
            if (thread.isAlive()) {
                thread.interrupt(); // its finally fails what is left
                thread.join(DRAIN_LIMIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
