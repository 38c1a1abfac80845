package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.health.WorkerLiveness;
import io.imagefarm.worker.job.Attempt;
import io.imagefarm.worker.job.JobSpec;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The two image-required consumers: the arch's work queue (first attempts) and its retry topic (later
 * attempts, once their backoff has passed). Each decodes, runs the job through {@link JobRunner} and
 * maps its decision to ack (outcome on the status topic, or event safely on the retry topic), nack into
 * the dead-letter topic (poison, or a job that kept failing unexpectedly), or neither (abandoned at
 * shutdown or because a rebalance gave its partition to another worker, or Kafka refused a write:
 * delivered again).
 *
 * <p>The two handlers run on worker pools of their own, one thread each: a retry waiting for its
 * backoff never holds up the work queue, and a worker may run one build from each channel at once.
 */
@ApplicationScoped
public class ImageRequiredConsumer {

    private static final Logger LOG = Logger.getLogger(ImageRequiredConsumer.class);

    private final JobRunner runner;
    private final WorkerConfig config;
    private final BuildGate gate;
    private final WorkerMetrics metrics;
    private final WorkerLiveness liveness;
    private final DeliveredOffsets delivered;

    ImageRequiredConsumer(JobRunner runner, WorkerConfig config, BuildGate gate, WorkerMetrics metrics,
                          @Liveness WorkerLiveness liveness, DeliveredOffsets delivered) {
        this.runner = runner;
        this.config = config;
        this.gate = gate;
        this.metrics = metrics;
        this.liveness = liveness;
        this.delivered = delivered;
    }

    @Incoming(Channels.IMAGE_REQUIRED)
    @Blocking(Channels.IMAGE_REQUIRED_POOL)
    public CompletionStage<Void> onImageRequired(Message<byte[]> message) {
        metadata(message).ifPresent(m -> delivered.delivered(new TopicPartition(m.getTopic(), m.getPartition()), m.getOffset()));
        JobSpec job;
        try {
            job = decode(message);
        } catch (InvalidEventException e) {
            return deadLetter(message, e);
        }
        message.getMetadata(IncomingKafkaRecordMetadata.class)
                .ifPresent(m -> metrics.queueLag(Duration.between(m.getTimestamp(), Instant.now())));
        return process(message, job, Attempt.first(Instant.now()));
    }

    @Incoming(Channels.IMAGE_REQUIRED_RETRY)
    @Blocking(Channels.IMAGE_REQUIRED_RETRY_POOL)
    public CompletionStage<Void> onRetry(Message<byte[]> message) {
        JobSpec job;
        RetryHeaders.Retry retry;
        try {
            job = decode(message);
            retry = RetryHeaders.parse(metadata(message).map(IncomingKafkaRecordMetadata::getHeaders).orElse(null));
        } catch (InvalidEventException e) {
            return deadLetter(message, e);
        }
        metrics.retryConsumed();
        Duration wait = Duration.between(Instant.now(), retry.notBefore());
        if (wait.compareTo(config.maxBackoff()) > 0) {
            // written by another clock or another configuration: no retry waits longer than a backoff
            LOG.warnf("%s: attempt %d is due at %s, more than max-backoff (%s) from now; it waits %s only",
                    job.image(), retry.attempt().number(), retry.notBefore(), config.maxBackoff(), config.maxBackoff());
            wait = config.maxBackoff();
        }
        if (!wait.isNegative() && !wait.isZero()) {
            LOG.infof("%s: attempt %d (last failure %s) starts in %s", job.image(), retry.attempt().number(),
                    retry.lastFailure(), wait);
        }
        if (!gate.pause(wait)) {
            LOG.infof("shutting down: attempt %d of %s is left for redelivery", retry.attempt().number(), job.image());
            return CompletableFuture.completedFuture(null);
        }
        return process(message, job, retry.attempt());
    }

    private CompletionStage<Void> process(Message<byte[]> message, JobSpec job, Attempt attempt) {
        TopicPartition source = metadata(message).map(m -> new TopicPartition(m.getTopic(), m.getPartition())).orElse(null);
        if (!gate.enter(job.image().toString(), source)) {
            return CompletableFuture.completedFuture(null); // shutting down, or no longer ours: redelivered
        }
        try {
            String key = metadata(message).map(m -> m.getKey() instanceof String k ? k : null).orElse(null);
            JobRunner.Disposition disposition = runner.run(job, attempt, key, message.getPayload());
            if (disposition instanceof JobRunner.DeadLetter dead) {
                metrics.deadLettered();
                return message.nack(dead.reason());
            }
            if (disposition instanceof JobRunner.LeaveUnacked leave) {
                // a stopped build's write may fail from the very interrupt that stopped it: no breakage
                if (leave.broken() != null && !gate.begun()) {
                    liveness.markBroken(leave.broken());
                } else {
                    metrics.abandoned();
                }
                return CompletableFuture.completedFuture(null);
            }
            return message.ack();
        } finally {
            gate.exit();
        }
    }

    private JobSpec decode(Message<byte[]> message) {
        return JobSpec.of(EventCodec.decode(message.getPayload(), ImageRequired.class), config.arch());
    }

    private CompletionStage<Void> deadLetter(Message<byte[]> message, InvalidEventException e) {
        LOG.warnf("poison event, sent to the dead-letter topic: %s", e.getMessage());
        metrics.deadLettered();
        return message.nack(e);
    }

    @SuppressWarnings("unchecked")
    private static Optional<IncomingKafkaRecordMetadata<Object, byte[]>> metadata(Message<byte[]> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> (IncomingKafkaRecordMetadata<Object, byte[]>) m);
    }
}
