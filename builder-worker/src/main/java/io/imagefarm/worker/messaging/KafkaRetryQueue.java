package io.imagefarm.worker.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Writes retry records to this arch's retry topic (channel {@link Channels#IMAGE_REQUIRED_RETRY_OUT},
 * acks=all, idempotent) and waits for the broker's acknowledgement: the consumer acks the original
 * event only after this returns.
 */
@ApplicationScoped
public class KafkaRetryQueue implements JobRunner.RetryQueue {

    private final MutinyEmitter<byte[]> emitter;

    KafkaRetryQueue(@Channel(Channels.IMAGE_REQUIRED_RETRY_OUT) MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    @Override
    public void put(String key, byte[] value, RetryHeaders.Retry retry) {
        emitter.sendMessageAndAwait(Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key).withHeaders(RetryHeaders.toKafka(retry)).build()));
    }
}
