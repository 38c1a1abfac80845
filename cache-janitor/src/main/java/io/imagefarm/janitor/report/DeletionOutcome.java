package io.imagefarm.janitor.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.janitor.policy.Reason;
import java.util.List;

/** One planned delete operation and what became of it. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeletionOutcome(String digest, String versionId, List<String> tags, Reason reason, Status status,
                              String message) {

    public enum Status {
        /** Dry run, or a plan over the cap: would be deleted. */
        PLANNED,
        DELETED,
        /** 404: someone (or an earlier run) deleted it already. Counts as done. */
        ALREADY_GONE,
        FAILED,
        /** The rate-limit budget ran out: the next run does it. */
        DEFERRED,
        /** Not tried: deletion disabled on the registry, the lease was lost, or a deletion it must follow failed. */
        NOT_ATTEMPTED
    }
}
