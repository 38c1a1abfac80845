package io.imagefarm.janitor.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One run's report: what the API returns, what goes to {@code imagefarm.janitor-reports} (keyed by run
 * id) and what the log summary and metrics are made from.
 *
 * @param outcome the run's worst repository outcome, or FAILED if the run could not start planning
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JanitorReport(int schemaVersion, String eventId, String runId, Trigger trigger, boolean dryRun,
                            boolean force, Outcome outcome, Instant startedAt, Instant finishedAt, long durationMillis,
                            List<RepositoryReport> repositories, String error) {

    public static final int SCHEMA_VERSION = 1;

    public enum Trigger {
        SCHEDULED,
        API
    }

    /** Ordered from best to worst; a run's outcome is its worst repository's. */
    public enum Outcome {
        DRY_RUN,
        APPLIED,
        PARTIAL,
        CAP_EXCEEDED,
        DELETION_UNSUPPORTED,
        FAILED
    }

    public RepositoryReport repository(String id) {
        return repositories.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no repository " + id + " in run " + runId));
    }

    /** The same report without the kept plan items, for the event (a plan can list thousands of kept tags). */
    public JanitorReport forEvent() {
        return new JanitorReport(schemaVersion, eventId, runId, trigger, dryRun, force, outcome, startedAt, finishedAt,
                durationMillis, repositories.stream().map(RepositoryReport::withoutPlan).toList(), error);
    }
}
