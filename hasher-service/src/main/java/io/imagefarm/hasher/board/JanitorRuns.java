package io.imagefarm.hasher.board;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The cache-janitor's last runs, as its reports on {@code imagefarm.janitor-reports} tell them, for the
 * dashboard. The hasher's own view of the report (unknown fields ignored), bounded: the last
 * {@link #KEPT_RUNS} runs, at most {@link #MAX_DELETIONS_SHOWN} deletions per repository each.
 */
public final class JanitorRuns {

    public static final int KEPT_RUNS = 20;
    public static final int MAX_DELETIONS_SHOWN = 500;

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Run(String runId, String trigger, boolean dryRun, boolean force, String outcome, Instant startedAt,
                      long durationMillis, List<Repository> repositories, String error) {

        Run bounded() {
            return new Run(runId, trigger, dryRun, force, outcome, startedAt, durationMillis,
                    repositories == null ? List.of() : repositories.stream().map(Repository::bounded).toList(), error);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Repository(String id, String image, String outcome, int tagsScanned, int managedTags,
                             Map<String, Integer> keptByReason, int plannedDeletions, int deleted, int alreadyGone,
                             int failed, int deferred, long bytesReclaimable, String error, List<Deletion> deletions) {

        Repository bounded() {
            List<Deletion> d = deletions == null ? List.of()
                    : deletions.size() > MAX_DELETIONS_SHOWN ? List.copyOf(deletions.subList(0, MAX_DELETIONS_SHOWN)) : List.copyOf(deletions);
            return new Repository(id, image, outcome, tagsScanned, managedTags, keptByReason == null ? Map.of() : keptByReason,
                    plannedDeletions, deleted, alreadyGone, failed, deferred, bytesReclaimable, error, d);
        }

        public int kept() {
            return keptByReason == null ? 0 : keptByReason.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Deletion(String digest, List<String> tags, String reason, String status, String message) {
    }

    private final Deque<Run> runs = new ArrayDeque<>();

    public synchronized void add(Run run) {
        runs.removeIf(r -> r.runId() != null && r.runId().equals(run.runId()));
        runs.addFirst(run.bounded());
        while (runs.size() > KEPT_RUNS) {
            runs.pollLast();
        }
    }

    /** Newest first. */
    public synchronized List<Run> latest() {
        return new ArrayList<>(runs);
    }
}
