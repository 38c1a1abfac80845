package io.imagefarm.worker.messaging;

/** Channel names of the worker; topics are set per channel in application.properties from the arch. */
public final class Channels {

    /** In: {@code imagefarm.image-required.<arch>}, group {@code builder-<arch>}. */
    public static final String IMAGE_REQUIRED = "image-required";

    /** Out: {@code imagefarm.image-status}, key = image ref. */
    public static final String IMAGE_STATUS = "image-status";

    public static final String REBALANCE_LISTENER = "builder-rebalance";

    private Channels() {
    }
}
