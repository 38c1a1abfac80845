package io.imagefarm.worker.buildx;

/** The build host lacks something the worker needs (engine, buildx, a platform). The worker does not start. */
public final class BuildHostException extends RuntimeException {

    public BuildHostException(String message) {
        super(message);
    }
}
