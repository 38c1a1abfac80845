package io.imagefarm.janitor.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.janitor.job.ReportSink;
import io.imagefarm.janitor.report.JanitorReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes each run's report to {@code imagefarm.janitor-reports}, keyed by run id, and the DELETED
 * status of every builder tag it deleted to {@code imagefarm.image-status}; waits for the broker's ack
 * ({@code acks=all}, idempotent): a run is reported when the call returns.
 */
public final class ReportPublisher implements ReportSink, AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    public ReportPublisher(Map<String, Object> kafkaConfig) {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(props);
    }

    @Override
    public void publish(JanitorReport report) {
        try {
            producer.send(new ProducerRecord<>(Topics.JANITOR_REPORTS, report.runId(), EventCodec.encode(report.forEvent())))
                    .get(35, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing janitor report " + report.runId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("janitor report " + report.runId() + " not published to " + Topics.JANITOR_REPORTS
                    + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /** DELETED statuses on the compacted status topic, keyed by image ref; returns once the broker acknowledged them. */
    public void publishStatuses(List<ImageStatus> statuses) {
        List<Future<?>> sent = new ArrayList<>();
        for (ImageStatus status : statuses) {
            sent.add(producer.send(new ProducerRecord<>(Topics.IMAGE_STATUS, status.image(), EventCodec.encode(status))));
        }
        for (Future<?> f : sent) {
            try {
                f.get(35, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing DELETED statuses", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("DELETED statuses not published to " + Topics.IMAGE_STATUS + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
