package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.job.ShutdownSignal;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Graceful shutdown. On SIGTERM no new build starts; the ones in flight (one per incoming channel at
 * most) may finish (and be committed when the connector closes) for up to
 * {@code imagefarm.worker.shutdown-grace}. Past that they are abandoned: their threads are interrupted,
 * buildx is stopped, nothing is published or acknowledged, so Kafka delivers the events again to the
 * next worker of the group. A retry waiting for its backoff ({@link #pause}) stops waiting at once and
 * leaves its event for redelivery.
 *
 * <p>It knows which image each build in flight builds, so it is also what the worker's beats tell
 * ({@link #snapshot}): IDLE, BUILDING those images, or STOPPING once SIGTERM came; a listener
 * ({@link #onChange}) hears of each change at once.
 *
 * <p>Runs on {@link ShutdownEvent}, before the Kafka connector terminates (which happens when the
 * application context is destroyed).
 */
@ApplicationScoped
public class ShutdownGate implements ShutdownSignal {

    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);

    /** What the worker does now, for its beat. */
    public record Snapshot(WorkerBeat.State state, List<WorkerBeat.Build> builds, Instant since) {
    }

    private final Duration grace;
    private final Clock clock;
    private final Object lock = new Object();
    private boolean closing;
    private final Map<Thread, WorkerBeat.Build> building = new LinkedHashMap<>();
    private Instant since;
    private volatile boolean abandoned;
    private volatile Runnable changed = () -> { };

    @Inject
    ShutdownGate(WorkerConfig config, Clock clock) {
        this(config.shutdownGrace(), clock);
    }

    ShutdownGate(Duration grace, Clock clock) {
        this.grace = grace;
        this.clock = clock;
        this.since = clock.instant();
    }

    /**
     * The calling thread starts building {@code image}.
     *
     * @return false once shutdown began: the caller must leave its event unacknowledged
     */
    public boolean enter(String image) {
        synchronized (lock) {
            if (closing) {
                return false;
            }
            Instant now = clock.instant();
            if (building.isEmpty()) {
                since = now;
            }
            building.put(Thread.currentThread(), new WorkerBeat.Build(image, now));
        }
        changed.run();
        return true;
    }

    public void exit() {
        synchronized (lock) {
            if (building.remove(Thread.currentThread()) != null && building.isEmpty() && !closing) {
                since = clock.instant();
            }
            lock.notifyAll();
        }
        changed.run();
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

    /** True once the builds in flight were given up. */
    @Override
    public boolean abandoned() {
        return abandoned;
    }

    /** True once SIGTERM arrived: a build failing now may have been cut short by it. */
    @Override
    public boolean begun() {
        synchronized (lock) {
            return closing;
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
