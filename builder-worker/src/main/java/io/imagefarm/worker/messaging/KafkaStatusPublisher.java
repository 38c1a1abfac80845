package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.worker.job.StatusSink;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes statuses to the compacted status topic, keyed by image ref, and waits for the broker's
 * acknowledgement (the channel runs with acks=all and idempotence): the consumer acks its event only
 * after this returns.
 */
@ApplicationScoped
public class KafkaStatusPublisher implements StatusSink {

    private static final Logger LOG = Logger.getLogger(KafkaStatusPublisher.class);

    private final MutinyEmitter<byte[]> emitter;

    KafkaStatusPublisher(@Channel(Channels.IMAGE_STATUS) MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    @Override
    public void publish(ImageStatus status) {
        Message<byte[]> message = Message.of(EventCodec.encode(status))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(status.image()).build());
        try {
            emitter.sendMessageAndAwait(message);
        } catch (RuntimeException e) {
            throw new StatusPublishException(status, e);
        }
        LOG.infof("status %s %s%s", status.image(), status.state(),
                status.failure() != null ? " (" + status.failure() + ")" : status.digest() != null ? " " + status.digest() : "");
    }
}
