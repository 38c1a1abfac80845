package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.job.StopSignal;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which builds may run, and which must stop.
 *
 * <p><b>Graceful shutdown.</b> On SIGTERM no new build starts; the ones in flight (one per incoming
 * channel at most) may finish (and be committed when the connector closes) for up to
 * {@code imagefarm.worker.shutdown-grace}. Past that they are abandoned: their threads are interrupted,
 * buildx is stopped, nothing is published or acknowledged, so Kafka delivers the events again to the
 * next worker of the group. A retry waiting for its backoff ({@link #pause}) stops waiting at once and
 * leaves its event for redelivery.
 *
 * <p><b>Partition ownership.</b> A rebalance may give the partition of a build in flight to another
 * worker (a worker that died comes back after its session expired, say): the new owner reads the event
 * again from the committed offset and builds it. This worker's build of it is then abandoned the same
 * way at once, so the image is not built and pushed twice; and a record of a partition no longer owned
 * (one fetched before the rebalance) is not started. Ownership is decided on each assignment
 * ({@link #owns}), which both the eager and the cooperative protocols report after every rebalance, and
 * on a lost session ({@link #released}).
 *
 * <p>It knows which image each build in flight builds, so it is also what the worker's beats tell
 * ({@link #snapshot}): IDLE, BUILDING those images, or STOPPING once SIGTERM came; a listener
 * ({@link #onChange}) hears of each change at once.
 *
 * <p>Runs on {@link ShutdownEvent}, before the Kafka connector terminates (which happens when the
 * application context is destroyed).
 */
@ApplicationScoped
public class BuildGate implements StopSignal {

    private static final Logger LOG = Logger.getLogger(BuildGate.class);

    /** What the worker does now, for its beat. */
    public record Snapshot(WorkerBeat.State state, List<WorkerBeat.Build> builds, Instant since) {
    }

    private final Duration grace;
    private final Clock clock;
    private final Object lock = new Object();
    private boolean closing;
    private final Map<Thread, WorkerBeat.Build> building = new LinkedHashMap<>();
    /** The partition each build in flight came from (none for a build without Kafka metadata). */
    private final Map<Thread, TopicPartition> sources = new HashMap<>();
    /** Per subscribed topic, the partitions its consumer owns since its last assignment. */
    private final Map<String, Set<TopicPartition>> owned = new HashMap<>();
    /** Builds in flight whose partition went to another worker: they are stopping. */
    private final Set<Thread> handedOver = new HashSet<>();
    private Instant since;
    private volatile boolean abandoned;
    private volatile Runnable changed = () -> { };

    @Inject
    BuildGate(WorkerConfig config, Clock clock) {
        this(config.shutdownGrace(), clock);
    }

    BuildGate(Duration grace, Clock clock) {
        this.grace = grace;
        this.clock = clock;
        this.since = clock.instant();
    }

    /**
     * The calling thread starts building {@code image}, whose event came from {@code source} (null: no
     * Kafka metadata, so no partition to check).
     *
     * @return false once shutdown began, or when {@code source} is no longer this worker's: the caller
     *         must leave its event unacknowledged (the reason is logged here)
     */
    public boolean enter(String image, TopicPartition source) {
        synchronized (lock) {
            if (closing) {
                LOG.infof("shutting down: %s is left for redelivery", image);
                return false;
            }
            if (source != null && owned.containsKey(source.topic()) && !owned.get(source.topic()).contains(source)) {
                LOG.infof("%s: its partition %s went to another worker in a rebalance; that worker builds it",
                        image, source);
                return false;
            }
            Instant now = clock.instant();
            if (building.isEmpty()) {
                since = now;
            }
            building.put(Thread.currentThread(), new WorkerBeat.Build(image, now));
            if (source != null) {
                sources.put(Thread.currentThread(), source);
            }
        }
        changed.run();
        return true;
    }

    public void exit() {
        boolean stoppedByHandOver;
        synchronized (lock) {
            Thread self = Thread.currentThread();
            if (building.remove(self) != null && building.isEmpty() && !closing) {
                since = clock.instant();
            }
            sources.remove(self);
            stoppedByHandOver = handedOver.remove(self);
            lock.notifyAll();
        }
        if (stoppedByHandOver) {
            Thread.interrupted(); // that interrupt stopped this build; the pool thread's next one must not see it
        }
        changed.run();
    }

    /**
     * After a rebalance: the consumer of {@code topics} owns {@code assignment} of them now. Builds in
     * flight from any other partition of those topics are abandoned (their threads interrupted), since
     * the partition's new owner builds their events.
     */
    public void owns(Collection<String> topics, Collection<TopicPartition> assignment) {
        synchronized (lock) {
            for (String topic : topics) {
                Set<TopicPartition> mine = new HashSet<>();
                for (TopicPartition tp : assignment) {
                    if (tp.topic().equals(topic)) {
                        mine.add(tp);
                    }
                }
                owned.put(topic, mine);
            }
            sources.forEach((thread, tp) -> {
                if (topics.contains(tp.topic()) && !assignment.contains(tp)) {
                    handOver(thread, tp);
                }
            });
        }
    }

    /** The consumer lost {@code partitions} (its session expired, or it was fenced): they are not its any more. */
    public void released(Collection<TopicPartition> partitions) {
        synchronized (lock) {
            for (TopicPartition tp : partitions) {
                Set<TopicPartition> mine = owned.get(tp.topic());
                if (mine != null) {
                    mine.remove(tp);
                }
            }
            sources.forEach((thread, tp) -> {
                if (partitions.contains(tp)) {
                    handOver(thread, tp);
                }
            });
        }
    }

    private void handOver(Thread thread, TopicPartition tp) {
        if (handedOver.add(thread)) {
            WorkerBeat.Build build = building.get(thread);
            LOG.warnf("partition %s went to another worker in a rebalance: the build of %s in flight is abandoned, "
                    + "uncommitted; the partition's new owner builds it", tp, build == null ? "?" : build.image());
            thread.interrupt();
        }
    }

    /** IDLE, BUILDING (the builds in flight, oldest first) or STOPPING (with the builds it lets finish), and since when. */
    public Snapshot snapshot() {
        synchronized (lock) {
            WorkerBeat.State state = closing ? WorkerBeat.State.STOPPING
                    : building.isEmpty() ? WorkerBeat.State.IDLE : WorkerBeat.State.BUILDING;
            return new Snapshot(state, List.copyOf(building.values()), since);
        }
    }

    /** Called (outside the gate's lock, on the thread that changed it) after every change of {@link #snapshot}. */
    public void onChange(Runnable listener) {
        this.changed = listener;
    }

    /** True once the builds in flight were given up at shutdown, or the caller's build was handed over. */
    @Override
    public boolean abandoned() {
        if (abandoned) {
            return true;
        }
        synchronized (lock) {
            return handedOver.contains(Thread.currentThread());
        }
    }

    /**
     * True once SIGTERM arrived, or the caller's build was handed over: a build failing now may have been
     * cut short by it.
     */
    @Override
    public boolean begun() {
        synchronized (lock) {
            return closing || handedOver.contains(Thread.currentThread());
        }
    }

    @Override
    public String reason() {
        synchronized (lock) {
            return handedOver.contains(Thread.currentThread())
                    ? "its event's partition went to another worker in a rebalance"
                    : "the worker is shutting down";
        }
    }

    /**
     * Waits for {@code duration}, unless shutdown begins first.
     *
     * @return true when the time has passed; false when the worker is shutting down (or the thread was
     *         interrupted): the caller leaves its event for redelivery
     */
    public boolean pause(Duration duration) {
        long deadline = System.nanoTime() + Math.max(0, duration.toNanos());
        synchronized (lock) {
            while (!closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        synchronized (lock) {
            closing = true;
            since = clock.instant();
            lock.notifyAll(); // retries waiting for their backoff give up now
        }
        changed.run(); // STOPPING, at once
        synchronized (lock) {
            if (building.isEmpty()) {
                return;
            }
            LOG.infof("shutting down: letting %d build(s) in flight finish, for up to %s", building.size(), grace);
            if (!awaitIdle(grace.toMillis())) {
                abandoned = true;
                LOG.warnf("shutdown grace of %s is over: abandoning %s in flight; %s uncommitted and will be "
                        + "delivered again", grace, building.size() == 1 ? "the build" : "the " + building.size() + " builds",
                        building.size() == 1 ? "its event stays" : "their events stay");
                building.keySet().forEach(Thread::interrupt);
                if (!awaitIdle(TimeUnit.SECONDS.toMillis(20))) {
                    LOG.warn("an abandoned build did not stop within 20 s");
                }
            } else {
                LOG.info("the builds in flight finished; shutting down");
            }
        }
    }

    private boolean awaitIdle(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        try {
            while (!building.isEmpty()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return building.isEmpty();
        }
    }
}
