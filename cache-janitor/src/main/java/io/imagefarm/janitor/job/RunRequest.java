package io.imagefarm.janitor.job;

import io.imagefarm.janitor.report.JanitorReport.Trigger;
import java.util.Set;

/**
 * What to run: a scheduled run applies (dry run false, no force); a manual run is a dry run unless asked.
 *
 * @param repositories repository ids to scan; empty for all configured
 */
public record RunRequest(Trigger trigger, boolean dryRun, boolean force, Set<String> repositories) {

    public RunRequest {
        repositories = repositories == null ? Set.of() : Set.copyOf(repositories);
    }

    public static RunRequest scheduled() {
        return new RunRequest(Trigger.SCHEDULED, false, false, Set.of());
    }
}
