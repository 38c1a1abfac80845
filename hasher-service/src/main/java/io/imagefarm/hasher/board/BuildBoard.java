package io.imagefarm.hasher.board;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows beyond the latest status, kept as the status stream goes by: per image a
 * short timeline of its steps (REQUESTED, BUILDING, BUILT ...), with when this replica saw each, and
 * per repository its last finished builds, for the trend chart. Bounded: {@link #MAX_IMAGES} timelines
 * (least recently changed out first), {@link #STEPS_PER_IMAGE} steps each, {@link #BUILDS_PER_REPOSITORY}
 * builds for each of at most {@link #MAX_REPOSITORIES} repositories. Heartbeats (BUILDING after
 * BUILDING) extend a step rather than add one. Plain Java; thread-safe.
 */
public final class BuildBoard {

    public static final int MAX_IMAGES = 10_000;
    public static final int STEPS_PER_IMAGE = 12;
    public static final int MAX_REPOSITORIES = 1_000;
    public static final int BUILDS_PER_REPOSITORY = 30;

    /** One step of an image: its state, when this replica first saw it, and the status that made it. */
    public record Step(BuildState state, Instant at, ImageStatus status) {
    }

    /** A finished build (BUILT), for the trends. */
    public record FinishedBuild(String image, String arch, String versionHash, Instant at, Duration duration,
                                Integer cachedSteps, Integer totalSteps) {

        /** Cached steps out of all, 0..1; null when the worker did not report steps. */
        public Double cacheRatio() {
            return cachedSteps == null || totalSteps == null || totalSteps == 0 ? null : cachedSteps / (double) totalSteps;
        }
    }

    private final Map<String, Deque<Step>> timelines = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Deque<FinishedBuild>> builds = new LinkedHashMap<>(16, 0.75f, true);

    public synchronized void onStatus(ImageStatus status, Instant seenAt) {
        Deque<Step> steps = timelines.computeIfAbsent(status.image(), k -> new ArrayDeque<>());
        Step last = steps.peekLast();
        if (last != null && last.state() == status.state() && status.state() == BuildState.BUILDING) {
            steps.pollLast();
            steps.addLast(new Step(last.state(), last.at(), status)); // a heartbeat: same step, newer record
        } else {
            steps.addLast(new Step(status.state(), seenAt, status));
            while (steps.size() > STEPS_PER_IMAGE) {
                steps.pollFirst();
            }
        }
        trim(timelines, MAX_IMAGES);
        if (status.state() == BuildState.BUILT && !status.isIndex() && status.repository() != null) {
            Deque<FinishedBuild> repoBuilds = builds.computeIfAbsent(status.repository(), k -> new ArrayDeque<>());
            repoBuilds.addLast(new FinishedBuild(status.image(), status.arch(), status.versionHash(), seenAt,
                    duration(status), status.cachedSteps(), status.totalSteps()));
            while (repoBuilds.size() > BUILDS_PER_REPOSITORY) {
                repoBuilds.pollFirst();
            }
            trim(builds, MAX_REPOSITORIES);
        }
    }

    /** The image's steps, oldest first. */
    public synchronized List<Step> timeline(String image) {
        Deque<Step> steps = timelines.get(image);
        return steps == null ? List.of() : List.copyOf(steps);
    }

    /** When the image's current BUILDING step began, if it is building. */
    public synchronized Instant buildingSince(String image) {
        Deque<Step> steps = timelines.get(image);
        Step last = steps == null ? null : steps.peekLast();
        return last != null && last.state() == BuildState.BUILDING ? last.at() : null;
    }

    /** The repository's last finished builds, oldest first. */
    public synchronized List<FinishedBuild> recentBuilds(String repository) {
        Deque<FinishedBuild> b = builds.get(repository);
        return b == null ? List.of() : new ArrayList<>(b);
    }

    /** The build's own duration as the worker measured it (fetch + build + push), else null. */
    static Duration duration(ImageStatus status) {
        if (status.timings() == null) {
            return null;
        }
        return Duration.ofMillis(status.timings().fetchMillis() + status.timings().buildMillis() + status.timings().pushMillis());
    }

    private static <V> void trim(Map<String, V> map, int max) {
        var it = map.keySet().iterator();
        while (map.size() > max && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
