package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.resolve.Publication;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.hasher.resolve.Publisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes a resolve's events and statuses in one Kafka transaction: all of them or none, so a
 * request never leaves an event without its REQUESTED status (or the reverse). Returns only after
 * the commit, so the HTTP answer follows Kafka's acknowledgement. The producer is idempotent with
 * acks=all (application.properties). One transaction at a time per producer, hence the lock.
 */
@ApplicationScoped
public class KafkaPublisher implements Publisher {

    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(20);

    private final KafkaTransactions<String> transactions;
    private final MeterRegistry metrics;
    private final Object lock = new Object();

    public KafkaPublisher(@Channel(Channels.OUT) KafkaTransactions<String> transactions, MeterRegistry metrics) {
        this.transactions = transactions;
        this.metrics = metrics;
    }

    @Override
    public void publish(Publication publication) {
        if (publication.isEmpty()) {
            return;
        }
        synchronized (lock) {
            try {
                transactions.withTransaction(emitter -> {
                    for (ImageRequired event : publication.events()) {
                        emitter.send(record(Topics.imageRequired(Arch.parse(event.platform())), event.image(), EventCodec.encodeToString(event)));
                    }
                    for (ImageStatus status : publication.statuses()) {
                        emitter.send(record(Topics.IMAGE_STATUS, status.image(), EventCodec.encodeToString(status)));
                    }
                    for (String key : publication.forget()) {
                        emitter.send(record(Topics.IMAGE_STATUS, key, null)); // a tombstone: compaction forgets the key
                    }
                    return Uni.createFrom().voidItem();
                }).await().atMost(COMMIT_TIMEOUT);
            } catch (RuntimeException e) {
                throw new PublishFailedException("Kafka did not commit " + publication.events().size() + " event(s) and "
                        + publication.statuses().size() + " status(es): " + e.getMessage(), e);
            }
        }
        for (ImageRequired event : publication.events()) {
            metrics.counter("imagefarm.hasher.events.published", "arch", Arch.parse(event.platform()).id()).increment();
        }
    }

    private static Message<String> record(String topic, String key, String json) {
        return Message.of(json).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withTopic(topic).withKey(key).build());
    }
}
