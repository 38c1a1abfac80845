package io.imagefarm.core.event;

/** Why a build failed, classified so CI and humans can tell a Dockerfile bug from an outage. */
public enum FailureKind {
    BUILD_ERROR(false),
    REGISTRY_AUTH(false),
    REGISTRY_UNAVAILABLE(true),
    CONTEXT_TOO_LARGE(false),
    INVALID_CONTEXT(false),
    TIMEOUT(true),
    ENGINE_UNAVAILABLE(true);

    private final boolean transientFailure;

    FailureKind(boolean transientFailure) {
        this.transientFailure = transientFailure;
    }

    /** Transient failures are worth retrying with backoff; permanent ones go straight to FAILED. */
    public boolean isTransient() {
        return transientFailure;
    }
}
