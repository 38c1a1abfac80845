package io.imagefarm.hasher.messaging;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.hasher.board.FarmBoard;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The workers' beats, for the dashboard's farm view: every replica reads the compacted topic from the
 * start (its own group), and takes each beat in at its own clock. A tombstone: the worker left.
 */
@ApplicationScoped
public class WorkerBeatConsumer {

    private static final Logger LOG = Logger.getLogger(WorkerBeatConsumer.class);

    private final FarmBoard farm;
    private final MeterRegistry metrics;

    public WorkerBeatConsumer(FarmBoard farm, MeterRegistry metrics) {
        this.farm = farm;
        this.metrics = metrics;
    }

    @Incoming(Channels.WORKERS_IN)
    public void onBeat(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            if (record.key() != null) {
                farm.onLeft(record.key());
            }
            return;
        }
        try {
            WorkerBeat beat = EventCodec.decode(record.value(), WorkerBeat.class);
            if (!beat.instanceId().equals(record.key())) {
                throw new InvalidEventException("WorkerBeat: instance id " + beat.instanceId() + " under another key");
            }
            farm.onBeat(beat, Instant.now());
        } catch (InvalidEventException e) {
            metrics.counter("imagefarm.hasher.worker_beat.invalid").increment();
            LOG.warnf("skipping invalid worker beat at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }
}
