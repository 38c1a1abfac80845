package io.imagefarm.worker.messaging;

/** Channel names of the worker; topics are set per channel in application.properties from the arch. */
public final class Channels {

    /** In: {@code imagefarm.image-required.<arch>}, group {@code builder-<arch>}. */
    public static final String IMAGE_REQUIRED = "image-required";

    /**
     * In: {@code imagefarm.image-required.<arch>.retry}, group {@code builder-<arch>-retry}: events whose
     * attempt failed transiently, each with its attempt context in {@link RetryHeaders}.
     */
    public static final String IMAGE_REQUIRED_RETRY = "image-required-retry";

    /** Out: the same retry topic, written by this worker (acks=all, idempotent). */
    public static final String IMAGE_REQUIRED_RETRY_OUT = "image-required-retry-out";

    /** Out: {@code imagefarm.image-status}, key = image ref. */
    public static final String IMAGE_STATUS = "image-status";

    public static final String REBALANCE_LISTENER = "builder-rebalance";

    /**
     * The worker pools the two incoming channels' {@code @Blocking} handlers run on, one thread each
     * ({@code smallrye.messaging.worker.<pool>.max-concurrency=1}): a retry waiting for its backoff never
     * holds up the work queue.
     */
    public static final String IMAGE_REQUIRED_POOL = "image-required-pool";
    public static final String IMAGE_REQUIRED_RETRY_POOL = "image-required-retry-pool";

    private Channels() {
    }
}
