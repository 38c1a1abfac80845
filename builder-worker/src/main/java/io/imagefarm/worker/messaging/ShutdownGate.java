package io.imagefarm.worker.messaging;

import io.imagefarm.worker.config.WorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
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
 * <p>Runs on {@link ShutdownEvent}, before the Kafka connector terminates (which happens when the
 * application context is destroyed).
 */
@ApplicationScoped
public class ShutdownGate {

    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);

    private final Duration grace;
    private final Object lock = new Object();
    private boolean closing;
    private final Set<Thread> building = new HashSet<>();
    private volatile boolean abandoned;

    ShutdownGate(WorkerConfig config) {
        this.grace = config.shutdownGrace();
    }

    /** False once shutdown began: the caller must leave its event unacknowledged. */
    public boolean enter() {
        synchronized (lock) {
            if (closing) {
                return false;
            }
            building.add(Thread.currentThread());
            return true;
        }
    }

    public void exit() {
        synchronized (lock) {
            building.remove(Thread.currentThread());
            lock.notifyAll();
        }
    }

    /** True once the builds in flight were given up. */
    public boolean abandoned() {
        return abandoned;
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
            lock.notifyAll(); // retries waiting for their backoff give up now
            if (building.isEmpty()) {
                return;
            }
            LOG.infof("shutting down: letting %d build(s) in flight finish, for up to %s", building.size(), grace);
            if (!awaitIdle(grace.toMillis())) {
                abandoned = true;
                LOG.warnf("shutdown grace of %s is over: abandoning %s in flight; %s uncommitted and will be "
                        + "delivered again", grace, building.size() == 1 ? "the build" : "the " + building.size() + " builds",
                        building.size() == 1 ? "its event stays" : "their events stay");
                building.forEach(Thread::interrupt);
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
