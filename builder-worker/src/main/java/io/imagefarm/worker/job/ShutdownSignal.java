package io.imagefarm.worker.job;

/** What a running {@link BuildJob} asks of the worker's shutdown (SIGTERM: an autoscaler's scale-in, a rollout). */
@FunctionalInterface
public interface ShutdownSignal {

    /** The grace is over: give the build up and publish nothing; the event is delivered again. */
    boolean abandoned();

    /**
     * Shutdown began: a build that fails now is no verdict on the image (it may have been cut short), so
     * its failure is not published either, and the event goes to another worker.
     */
    default boolean begun() {
        return abandoned();
    }
}
