package io.imagefarm.hasher.messaging;

/** The hasher's SmallRye channel names (topics are in {@link io.imagefarm.core.event.Topics}). */
public final class Channels {

    /** The compacted status topic, read from the beginning by every replica. */
    public static final String STATUS_IN = "image-status-in";

    /** The janitor's run reports, for the dashboard (recent ones, read by every replica). */
    public static final String JANITOR_REPORTS_IN = "janitor-reports-in";

    /** The workers' beats (compacted), read whole by every replica, for the dashboard's farm view. */
    public static final String WORKERS_IN = "workers-in";

    private Channels() {
    }
}
