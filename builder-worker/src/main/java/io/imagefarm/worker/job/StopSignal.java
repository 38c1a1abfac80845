package io.imagefarm.worker.job;

/**
 * Whether a running {@link BuildJob} must stop, asked on the job's own thread. Two things stop a build
 * whose outcome is no longer this worker's to publish: SIGTERM (an autoscaler's scale-in, a rollout)
 * once its grace is over, and a rebalance that gave the event's partition to another worker of the
 * arch, which reads the event again from the committed offset and builds it.
 */
@FunctionalInterface
public interface StopSignal {

    /** Give the build up and publish nothing; the event is delivered again (to this or another worker). */
    boolean abandoned();

    /**
     * A stop began: a build that fails now is no verdict on the image (it may have been cut short), so
     * its failure is not published either, and the event goes to another worker.
     */
    default boolean begun() {
        return abandoned();
    }

    /** Why, for logs and the abandonment's message. */
    default String reason() {
        return "the worker is shutting down";
    }
}
