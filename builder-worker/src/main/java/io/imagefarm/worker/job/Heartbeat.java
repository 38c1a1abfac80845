package io.imagefarm.worker.job;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * BUILDING again every interval while a build runs, so the hasher can tell a slow build from an
 * abandoned one (it gives up after three missed beats) instead of guessing with a fixed TTL.
 * {@link #close()} waits for a beat in progress: no BUILDING can follow the build's final status.
 */
final class Heartbeat implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class);

    private final Object lock = new Object();
    private final Runnable beat;
    private final ScheduledFuture<?> task;
    private boolean stopped;

    private Heartbeat(ScheduledExecutorService timer, Duration every, Runnable beat) {
        this.beat = beat;
        this.task = timer.scheduleAtFixedRate(this::beatOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    static Heartbeat start(ScheduledExecutorService timer, Duration every, Runnable beat) {
        return new Heartbeat(timer, every, beat);
    }

    private void beatOnce() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            try {
                beat.run();
            } catch (RuntimeException e) {
                // A missed beat is what the hasher tolerates; the build goes on.
                LOG.warnf("heartbeat not published: %s", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            stopped = true;
        }
        task.cancel(false);
    }
}
