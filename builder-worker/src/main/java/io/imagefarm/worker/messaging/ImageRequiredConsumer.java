package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.worker.build.BuildAbandonedException;
import io.imagefarm.worker.build.BuildJob;
import io.imagefarm.worker.build.JobSpec;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.health.WorkerLiveness;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The image-required consumer: decode, build, ack. Acknowledged only after BUILT/FAILED/EXISTS is on
 * the status topic; a poison event is nacked into the dead-letter topic with the reason; an
 * abandoned build is neither, so it is delivered again.
 */
@ApplicationScoped
public class ImageRequiredConsumer {

    private static final Logger LOG = Logger.getLogger(ImageRequiredConsumer.class);

    @Inject
    BuildJob buildJob;
    @Inject
    WorkerConfig config;
    @Inject
    KafkaStatusPublisher statuses;
    @Inject
    ShutdownGate gate;
    @Inject
    WorkerMetrics metrics;
    @Inject
    @Liveness
    WorkerLiveness liveness;

    @Incoming(Channels.IMAGE_REQUIRED)
    @Blocking
    public CompletionStage<Void> onImageRequired(Message<byte[]> message) {
        JobSpec job;
        try {
            job = JobSpec.of(EventCodec.decode(message.getPayload(), ImageRequired.class), config.arch());
        } catch (InvalidEventException e) {
            LOG.warnf("poison event, sent to the dead-letter topic: %s", e.getMessage());
            metrics.deadLettered();
            return message.nack(e);
        }
        message.getMetadata(IncomingKafkaRecordMetadata.class)
                .ifPresent(m -> metrics.queueLag(Duration.between(m.getTimestamp(), Instant.now())));
        if (!gate.enter()) {
            LOG.infof("shutting down: %s is left for redelivery", job.image());
            return CompletableFuture.completedFuture(null);
        }
        try {
            buildJob.run(job, statuses, gate::abandoned);
            return message.ack();
        } catch (BuildAbandonedException e) {
            LOG.warn(e.getMessage() + "; the event is not acknowledged and will be delivered again");
            metrics.abandoned();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: unexpected failure; the event is left unacknowledged and the worker reports itself broken",
                    job.image());
            liveness.markBroken(e.getMessage());
            return CompletableFuture.completedFuture(null);
        } finally {
            gate.exit();
        }
    }
}
