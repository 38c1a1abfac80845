package io.imagefarm.janitor.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.janitor.policy.Cap;
import io.imagefarm.janitor.policy.PlanItem;
import io.imagefarm.janitor.policy.Reason;
import java.util.List;
import java.util.Map;

/**
 * One repository's part of a run.
 *
 * @param keptByReason     how many candidates each reason kept
 * @param bytesReclaimable unique blob sizes referenced by the planned deletions and by no remaining manifest
 * @param notes            e.g. that OCI blobs are reclaimed only by the registry's garbage collection
 * @param plan             every candidate with action and reason (null in the event)
 * @param deletions        every delete operation of the plan with what became of it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RepositoryReport(String id, String image, String backend, JanitorReport.Outcome outcome, int tagsScanned,
                               int managedTags, Map<Reason, Integer> keptByReason, int plannedDeletions, int deleted,
                               int alreadyGone, int failed, int deferred, long bytesReclaimable, Cap cap,
                               List<String> notes, String error, List<PlanItem> plan, List<DeletionOutcome> deletions) {

    public RepositoryReport withoutPlan() {
        return new RepositoryReport(id, image, backend, outcome, tagsScanned, managedTags, keptByReason, plannedDeletions,
                deleted, alreadyGone, failed, deferred, bytesReclaimable, cap, notes, error, null, deletions);
    }
}
