package io.imagefarm.worker.messaging;

import io.imagefarm.worker.config.WorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Graceful shutdown. On SIGTERM no new build starts; the one in flight may finish (and be committed
 * when the connector closes) for up to {@code imagefarm.worker.shutdown-grace}. Past that it is
 * abandoned: its thread is interrupted, buildx is stopped, nothing is published or acknowledged, so
 * Kafka delivers the event again to the next worker of the group.
 *
 * <p>Runs on {@link ShutdownEvent}, before the Kafka connector terminates (which happens when the
 * application context is destroyed).
 */
@ApplicationScoped
public class ShutdownGate {

    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);

    @Inject
    WorkerConfig config;

    private final Object lock = new Object();
    private boolean closing;
    private Thread building;
    private volatile boolean abandoned;

    /** False once shutdown began: the caller must leave its event unacknowledged. */
    public boolean enter() {
        synchronized (lock) {
            if (closing) {
                return false;
            }
            building = Thread.currentThread();
            return true;
        }
    }

    public void exit() {
        synchronized (lock) {
            building = null;
            lock.notifyAll();
        }
    }

    /** True once the build in flight was given up. */
    public boolean abandoned() {
        return abandoned;
    }

    void onShutdown(@Observes ShutdownEvent event) {
        Duration grace = config.shutdownGrace();
        synchronized (lock) {
            closing = true;
            if (building == null) {
                return;
            }
            LOG.infof("shutting down: letting the build in flight finish, for up to %s", grace);
            if (!awaitIdle(grace.toMillis())) {
                abandoned = true;
                LOG.warnf("shutdown grace of %s is over: abandoning the build in flight; its event stays uncommitted "
                        + "and will be delivered again", grace);
                building.interrupt();
                if (!awaitIdle(TimeUnit.SECONDS.toMillis(20))) {
                    LOG.warn("the abandoned build did not stop within 20 s");
                }
            } else {
                LOG.info("the build in flight finished; shutting down");
            }
        }
    }

    private boolean awaitIdle(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        try {
            while (building != null) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return building == null;
        }
    }
}
