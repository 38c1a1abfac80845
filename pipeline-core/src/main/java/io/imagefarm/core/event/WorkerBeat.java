package io.imagefarm.core.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A builder-worker saying it is alive, and what it does: on the compacted {@link Topics#WORKERS} topic,
 * keyed by {@link #instanceId}, every {@link #intervalMillis} and at once when its state changes (a
 * tombstone when it has stopped). Readers measure a beat's age on their own clock, from when they took
 * it in, with the interval the worker announces ({@link #MISSED_BEATS} missed beats: gone); {@link #at}
 * and the {@code since} instants are the worker's clock, shown, never compared with another host's.
 *
 * <p>Anything that can produce to the topic can write one, so a beat is checked as it is made (decoding
 * refuses an invalid one with {@link InvalidEventException}): a known arch, an instance id of Kafka's
 * {@code group.instance.id} charset and at most {@link #MAX_INSTANCE_ID} characters, at most
 * {@link #MAX_BUILDS} builds, each a valid image ref, and builds only while BUILDING or STOPPING.
 *
 * @param builds the builds in flight (a worker runs at most one from its work queue and one from its
 *               retry topic at once); empty when IDLE
 * @param since  when the worker entered {@link #state}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerBeat(
        int schemaVersion,
        String instanceId,
        String arch,
        State state,
        List<Build> builds,
        Instant since,
        long intervalMillis,
        Instant at) {

    public static final int SCHEMA_VERSION = 1;
    /** Kafka's limit on {@code group.instance.id} is 249; the worker's ids derive from this with a suffix. */
    public static final int MAX_INSTANCE_ID = 128;
    public static final int MAX_BUILDS = 4;
    /** Longer than any image ref the OCI grammar allows (a 255-character name, a 128-character tag). */
    public static final int MAX_IMAGE_REF = 512;
    public static final Duration MIN_INTERVAL = Duration.ofMillis(500);
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(5);
    /** A worker whose last beat is this many intervals old is taken for gone. */
    public static final int MISSED_BEATS = 3;

    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]+");

    /** What a worker does. */
    public enum State {
        /** Alive, waiting for work. */
        IDLE,
        /** Building {@link #builds}. */
        BUILDING,
        /** Told to stop (SIGTERM): takes no new work, lets {@link #builds} finish. */
        STOPPING
    }

    /** One build in flight: the per-arch image, and when the worker started it (its clock). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Build(String image, Instant since) {

        public Build {
            if (image == null || image.length() > MAX_IMAGE_REF) {
                throw new InvalidEventException("WorkerBeat: a build's image is "
                        + (image == null ? "missing" : "longer than " + MAX_IMAGE_REF + " characters"));
            }
            try {
                ImageRef.parse(image);
            } catch (InvalidReferenceException e) {
                throw new InvalidEventException("WorkerBeat: " + e.getMessage());
            }
            if (since == null) {
                throw new InvalidEventException("WorkerBeat: the build of " + image + " has no since");
            }
        }
    }

    public WorkerBeat {
        if (schemaVersion < 1) {
            throw new InvalidEventException("WorkerBeat: schemaVersion " + schemaVersion + " is not a version");
        }
        requireInstanceId(instanceId);
        if (arch == null || !knownArch(arch)) {
            throw new InvalidEventException("WorkerBeat: '" + arch + "' is not an arch id (amd64, arm64, ...)");
        }
        if (state == null) {
            throw new InvalidEventException("WorkerBeat: state is missing or unknown");
        }
        builds = builds == null ? List.of() : List.copyOf(builds);
        if (builds.size() > MAX_BUILDS) {
            throw new InvalidEventException("WorkerBeat: " + builds.size() + " builds, more than " + MAX_BUILDS);
        }
        if (state == State.IDLE && !builds.isEmpty()) {
            throw new InvalidEventException("WorkerBeat: an IDLE worker has no builds");
        }
        if (state == State.BUILDING && builds.isEmpty()) {
            throw new InvalidEventException("WorkerBeat: a BUILDING worker names its builds");
        }
        if (since == null || at == null) {
            throw new InvalidEventException("WorkerBeat: since and at are required");
        }
        if (intervalMillis < MIN_INTERVAL.toMillis() || intervalMillis > MAX_INTERVAL.toMillis()) {
            throw new InvalidEventException("WorkerBeat: intervalMillis " + intervalMillis + " is not within "
                    + MIN_INTERVAL.toMillis() + ".." + MAX_INTERVAL.toMillis());
        }
    }

    public static WorkerBeat of(String instanceId, Arch arch, State state, List<Build> builds, Instant since,
                                Duration interval, Instant at) {
        return new WorkerBeat(SCHEMA_VERSION, instanceId, arch.id(), state, builds, since, interval.toMillis(), at);
    }

    /** The interval the worker beats at. */
    public Duration interval() {
        return Duration.ofMillis(intervalMillis);
    }

    /**
     * The rule for a worker's instance id (its beat's key and the base of its Kafka {@code group.instance.id}):
     * 1 to {@link #MAX_INSTANCE_ID} of {@code A-Z a-z 0-9 . _ -}. The worker checks its own at start-up with it.
     *
     * @return the id
     * @throws InvalidEventException naming what is wrong
     */
    public static String requireInstanceId(String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidEventException("WorkerBeat: the instance id is empty");
        }
        if (id.length() > MAX_INSTANCE_ID) {
            throw new InvalidEventException("WorkerBeat: the instance id is " + id.length() + " characters long; the limit is "
                    + MAX_INSTANCE_ID);
        }
        if (!INSTANCE_ID.matcher(id).matches()) {
            throw new InvalidEventException("WorkerBeat: the instance id may only hold A-Z a-z 0-9 . _ -");
        }
        return id;
    }

    /**
     * The rule for a beat interval ({@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}).
     *
     * @throws IllegalArgumentException naming the bounds
     */
    public static Duration requireInterval(Duration interval) {
        if (interval == null || interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("must be within " + MIN_INTERVAL + " and " + MAX_INTERVAL);
        }
        return interval;
    }

    private static boolean knownArch(String id) {
        for (Arch a : Arch.values()) {
            if (a.id().equals(id)) {
                return true;
            }
        }
        return false;
    }
}
