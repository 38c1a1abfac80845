package io.imagefarm.worker.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Runs {@link MarkerCommitter} over the work queue's consumer every {@code marker-commit-interval}, on a
 * thread of its own, while the worker is not stopping. Only the work queue needs it: its events come
 * from the hashers' transactions; the retry topic is written without one.
 */
public final class IdleMarkerCommits implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IdleMarkerCommits.class);

    private final MarkerCommitter committer;
    private final KafkaClientService clients;
    private final Duration interval;
    private final Duration timeout;
    private final BooleanSupplier stopping;
    private final WorkerMetrics metrics;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("marker-commits"));

    public IdleMarkerCommits(MarkerCommitter committer, KafkaClientService clients, Duration interval, Duration timeout,
                             BooleanSupplier stopping, WorkerMetrics metrics) {
        this.committer = committer;
        this.clients = clients;
        this.interval = interval;
        this.timeout = timeout;
        this.stopping = stopping;
        this.metrics = metrics;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::pass, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void pass() {
        if (stopping.getAsBoolean()) {
            return;
        }
        try {
            List<KafkaConsumer<Object, Object>> consumers = clients.getConsumers(Channels.IMAGE_REQUIRED);
            for (KafkaConsumer<Object, Object> consumer : consumers) {
                List<MarkerCommitter.Gap> moved = committer.commitIdle(task -> consumer
                        .runOnPollingThread((java.util.function.Consumer<org.apache.kafka.clients.consumer.Consumer<Object, Object>>) task::accept)
                        .await().atMost(timeout.multipliedBy(3)));
                if (!moved.isEmpty()) {
                    metrics.markerCommits(moved.size());
                    LOG.debugf("committed past transaction markers (no record left behind): %s", moved);
                }
            }
        } catch (RuntimeException e) {
            // Kafka away, a rebalance under way, the connector closing: nothing was committed unchecked
            LOG.warnf("could not commit idle partitions past their transaction markers (%s); the next pass, in %s, "
                    + "tries again", e.toString(), interval);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(timeout.multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        committer.close();
    }
}
