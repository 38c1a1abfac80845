package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.hasher.resolve.StatusBook;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Materialises the compacted status topic into the {@link StatusBook}: every replica reads it from the
 * start (a fresh consumer group per process), so a restart or a second replica knows what is in flight.
 */
@ApplicationScoped
public class StatusConsumer {

    private static final Logger LOG = Logger.getLogger(StatusConsumer.class);

    private final StatusBook book;
    private final MeterRegistry metrics;
    private final StatusPositions positions;

    public StatusConsumer(StatusBook book, MeterRegistry metrics, StatusPositions positions) {
        this.book = book;
        this.metrics = metrics;
        this.positions = positions;
    }

    @Incoming(Channels.STATUS_IN)
    public void onStatus(ConsumerRecord<String, String> record) {
        try {
            apply(record);
        } finally {
            positions.applied(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            book.remove(record.key());
            return;
        }
        try {
            book.apply(ImageStatus.fromRecord(record.value())); // decoded and checked by the topic's one rule set
        } catch (InvalidEventException e) {
            // A read model: one bad record must not stop the view; it is counted and logged with its position.
            metrics.counter("imagefarm.hasher.status.invalid").increment();
            LOG.warnf("skipping undecodable status at %s-%d@%d (key %s): %s",
                    record.topic(), record.partition(), record.offset(), record.key(), e.getMessage());
        }
    }
}
