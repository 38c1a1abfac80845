package io.imagefarm.core.event;

/** Why a build failed, classified so CI and humans can tell a Dockerfile bug from an outage. */
public enum FailureKind {
    BUILD_ERROR(false),
    REGISTRY_AUTH(false),
    REGISTRY_UNAVAILABLE(true),
    CONTEXT_TOO_LARGE(false),
    INVALID_CONTEXT(false),
    /**
     * The source (the git remote at the event's commit) could not be reached or fetched: the host is
     * away, the network failed, the remote refused. Transient: retried with backoff within the budget.
     */
    SOURCE_UNAVAILABLE(true),
    TIMEOUT(true),
    ENGINE_UNAVAILABLE(true),
    /**
     * The event does not match what it asks to build: the files at its commit hash to another version
     * hash, or its image or cache is not that hash's ref for the repository on the worker's registry.
     * Nothing is built or pushed. Permanent: the same event and commit fail the same way again.
     */
    INPUTS_MISMATCH(false),
    /**
     * The worker failed in a way it did not foresee (a bug, or a local condition no classification
     * covers). It retried the event a few times, then parked it in its dead-letter topic. Permanent: it
     * needs a human (a fix, then an admin retry), not another attempt.
     */
    INTERNAL_ERROR(false),
    /**
     * The image's tag no longer points at the digest the pipeline recorded: someone pushed over it (a
     * person, another pipeline, a leaked token). Found by the hasher's revalidation; the image is never
     * READY again until an admin's retry rebuilds it. Permanent: waiting does not move the tag back.
     */
    TAG_MOVED(false);

    private final boolean transientFailure;

    FailureKind(boolean transientFailure) {
        this.transientFailure = transientFailure;
    }

    /** Transient failures are worth retrying with backoff; permanent ones go straight to FAILED. */
    public boolean isTransient() {
        return transientFailure;
    }
}
