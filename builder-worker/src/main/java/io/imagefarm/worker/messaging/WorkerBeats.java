package io.imagefarm.worker.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The worker's beat on {@link Topics#WORKERS}, keyed by its instance id: what the {@link BuildGate}
 * says it does (IDLE, BUILDING its images, STOPPING), every {@code beat-interval} and at once when that
 * changes, from a thread of its own. A beat is worth nothing late, so it is sent without waiting: one
 * that cannot be sent (Kafka away) is logged, at most once a minute, and the next one tries again; the
 * worker's health does not depend on it. {@link #close} ends with a tombstone: a worker that stopped
 * leaves the farm's view (one that was killed stays in it, no longer alive).
 */
public final class WorkerBeats implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkerBeats.class);

    private final String instanceId;
    private final Arch arch;
    private final Duration interval;
    private final Supplier<BuildGate.Snapshot> state;
    private final Clock clock;
    private final Producer<String, byte[]> producer;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("worker-beat"));
    private long lastFailureLog;

    public WorkerBeats(String instanceId, Arch arch, Duration interval, Supplier<BuildGate.Snapshot> state, Clock clock,
                       Producer<String, byte[]> producer) {
        this.instanceId = WorkerBeat.requireInstanceId(instanceId);
        this.arch = arch;
        this.interval = WorkerBeat.requireInterval(interval);
        this.state = state;
        this.clock = clock;
        this.producer = producer;
    }

    /** A producer for beats, from the service's Kafka settings: small, quick to give up (a beat is re-sent anyway). */
    public static Producer<String, byte[]> producer(Map<String, Object> kafka, String instanceId) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "worker-beat-" + instanceId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        return new KafkaProducer<>(props);
    }

    /** Beats from now on, every interval. */
    public void start() {
        thread.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One beat soon, on the beat thread: the gate's state changed. */
    public void beatSoon() {
        try {
            thread.execute(this::beat);
        } catch (RejectedExecutionException e) {
            // closed: the tombstone is (being) sent
        }
    }

    /** The beat for what the gate says now. */
    WorkerBeat current() {
        BuildGate.Snapshot s = state.get();
        return WorkerBeat.of(instanceId, arch, s.state(), s.builds(), s.since(), interval, clock.instant());
    }

    private void beat() {
        try {
            producer.send(new ProducerRecord<>(Topics.WORKERS, instanceId, EventCodec.encode(current())), (metadata, e) -> {
                if (e != null) {
                    failed(e);
                }
            });
        } catch (RuntimeException e) {
            failed(e); // no metadata within max.block.ms, or the producer is closed
        }
    }

    private synchronized void failed(Exception e) {
        if (System.nanoTime() - lastFailureLog > TimeUnit.MINUTES.toNanos(1) || lastFailureLog == 0) {
            lastFailureLog = System.nanoTime();
            LOG.warnf("worker beat not published to %s (%s); the next one tries again (logged at most once a minute)",
                    Topics.WORKERS, e.toString());
        }
    }

    /** Stops beating and says the worker left (a tombstone), waiting up to 5 s for it; then closes the producer. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(Topics.WORKERS, instanceId, null)).get(5, TimeUnit.SECONDS);
            LOG.infof("worker %s left the farm (tombstone on %s)", instanceId, Topics.WORKERS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("the tombstone of worker %s was not published (%s); the farm's view shows it gone after %d beats",
                    instanceId, e.toString(), WorkerBeat.MISSED_BEATS);
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
