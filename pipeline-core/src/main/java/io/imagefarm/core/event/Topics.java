package io.imagefarm.core.event;

import io.imagefarm.core.image.Arch;

/** Kafka topic names, shared by the services and their tests. */
public final class Topics {

    /** Per-arch work queues, so each arch's workers scale on their own: {@code imagefarm.image-required.<arch>}. */
    public static final String IMAGE_REQUIRED_PREFIX = "imagefarm.image-required.";

    /** Compacted: key = image ref, value = latest {@link ImageStatus}. */
    public static final String IMAGE_STATUS = "imagefarm.image-status";

    /**
     * Requests for images, proposed by any hasher replica (key = the arch, {@link #requestKey}; value =
     * the {@link ImageRequired} it would publish). The replica that owns a key's partition (consumer group
     * {@code imagefarm-hasher-deciders}) turns at most one live request per image into an
     * {@code image-required} event, so replicas never publish the same build twice; and since it decides
     * every request of its arch, it also sees every event it places on the arch's work queue.
     */
    public static final String IMAGE_REQUESTS = "imagefarm.image-requests";

    /**
     * The key of a request on {@link #IMAGE_REQUESTS}: its arch. One decider per arch places all of the
     * arch's events, each on its least loaded worker; two deciders placing from the same look at the
     * queue would pile a burst onto the same workers.
     */
    public static String requestKey(Arch arch) {
        return arch.id();
    }

    /** One report per janitor run. */
    public static final String JANITOR_REPORTS = "imagefarm.janitor-reports";

    /**
     * Compacted: key = a builder-worker's instance id, value = its latest {@link WorkerBeat} (alive, what
     * it builds); a tombstone once it has stopped. Read whole by every hasher replica, for the dashboard.
     */
    public static final String WORKERS = "imagefarm.workers";

    private Topics() {
    }

    public static String imageRequired(Arch arch) {
        return IMAGE_REQUIRED_PREFIX + arch.id();
    }

    /**
     * Where a worker of this arch puts an event whose build failed transiently, to be retried once its
     * backoff has passed, so the work queue moves on meanwhile (no head-of-line blocking).
     */
    public static String imageRequiredRetry(Arch arch) {
        return imageRequired(arch) + ".retry";
    }

    /** The consumer group of an arch's workers on its work queue: {@code builder-<arch>}. */
    public static String workerGroup(Arch arch) {
        return "builder-" + arch.id();
    }

    /** The consumer group of an arch's workers on its retry topic: {@code builder-<arch>-retry}. */
    public static String workerRetryGroup(Arch arch) {
        return workerGroup(arch) + "-retry";
    }

    /** Where a worker of this arch parks events it cannot decode or process. */
    public static String imageRequiredDeadLetter(Arch arch) {
        return imageRequired(arch) + ".dlq";
    }
}
