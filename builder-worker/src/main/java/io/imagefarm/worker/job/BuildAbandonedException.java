package io.imagefarm.worker.job;

/**
 * The build was cut off on purpose (shutdown past its grace period). Nothing is reported and the
 * event is not acknowledged, so Kafka delivers it again.
 */
public final class BuildAbandonedException extends RuntimeException {

    public BuildAbandonedException(String message) {
        super(message);
    }
}
