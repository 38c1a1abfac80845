package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.hasher.board.JanitorRuns;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** The janitor's run reports, for the dashboard: every replica reads the recent ones (its own group). */
@ApplicationScoped
public class JanitorReportConsumer {

    private static final Logger LOG = Logger.getLogger(JanitorReportConsumer.class);

    private final JanitorRuns runs;
    private final MeterRegistry metrics;

    public JanitorReportConsumer(JanitorRuns runs, MeterRegistry metrics) {
        this.runs = runs;
        this.metrics = metrics;
    }

    @Incoming(Channels.JANITOR_REPORTS_IN)
    public void onReport(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            runs.add(EventCodec.decode(record.value(), JanitorRuns.Run.class));
        } catch (InvalidEventException e) {
            metrics.counter("imagefarm.hasher.janitor_report.invalid").increment();
            LOG.warnf("skipping undecodable janitor report at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }
}
