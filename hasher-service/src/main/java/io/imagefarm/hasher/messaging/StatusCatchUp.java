package io.imagefarm.hasher.messaging;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.hasher.resolve.IndexAssembler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Has this replica read the status topic up to the end offsets it saw at start-up? Until then its book
 * is half-read: it would answer from it, and publish builds that are in flight already. Readiness
 * waits for it, and the index assembler holds its work during the replay.
 */
@ApplicationScoped
public class StatusCatchUp {

    private static final Logger LOG = Logger.getLogger(StatusCatchUp.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaClientService clients;
    private final IndexAssembler assembler;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("status-catch-up"));
    private volatile Map<TopicPartition, Long> target;
    private volatile Map<TopicPartition, Long> positions = Map.of();
    private volatile boolean caughtUp;

    public StatusCatchUp(KafkaClientService clients, IndexAssembler assembler) {
        this.clients = clients;
        this.assembler = assembler;
    }

    void start(@Observes StartupEvent event) {
        assembler.holdDuringReplay();
        timer.scheduleWithFixedDelay(this::tick, 200, 500, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    private void tick() {
        if (caughtUp) {
            return;
        }
        try {
            KafkaConsumer<Object, Object> consumer = clients.getConsumer(Channels.STATUS_IN);
            if (consumer == null) {
                return;
            }
            if (target == null) {
                Set<TopicPartition> assigned = consumer.getAssignments().await().atMost(CALL_TIMEOUT);
                if (assigned.isEmpty()) {
                    return; // the group has not assigned the partitions yet
                }
                // read_committed: the end offsets are the last stable ones, commit markers included
                java.util.function.Function<org.apache.kafka.clients.consumer.Consumer<Object, Object>, Map<TopicPartition, Long>> ends =
                        c -> c.endOffsets(assigned);
                target = Map.copyOf(consumer.runOnPollingThread(ends).await().atMost(CALL_TIMEOUT));
                LOG.infof("replaying %s up to the end offsets seen at start-up %s", Channels.STATUS_IN, target);
            }
            positions = Map.copyOf(consumer.getPositions().await().atMost(CALL_TIMEOUT));
            if (reached(target, positions)) {
                caughtUp = true;
                LOG.infof("status topic replayed up to %s: the book is complete, the replica is ready", target);
                assembler.replayed();
                timer.shutdown();
            }
        } catch (RuntimeException e) {
            LOG.debugf("status catch-up not known yet: %s", e.getMessage());
        }
    }

    /** Every partition's position is at or past the end offset it had at start-up. */
    static boolean reached(Map<TopicPartition, Long> target, Map<TopicPartition, Long> positions) {
        return target != null && target.entrySet().stream()
                .allMatch(e -> e.getValue() == 0 || positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    /** For the readiness check's data: where the replay is and where it must get to. */
    public String progress() {
        return "positions " + positions + " of " + (target == null ? "(partitions not assigned yet)" : target);
    }
}
