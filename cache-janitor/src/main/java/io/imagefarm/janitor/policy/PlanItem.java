package io.imagefarm.janitor.policy;

import java.time.Instant;

/**
 * One candidate of a plan: a managed tag, or an untagged manifest (tag null), with its action and why.
 *
 * @param detail human words for the reason: the rank, the last request, the kept tag or index that protects it
 */
public record PlanItem(String tag, String digest, String versionId, Reason.Action action, Reason reason,
                       String detail, Instant pushedAt) {

    public boolean delete() {
        return action == Reason.Action.DELETE;
    }

    /** The tag, or {@code <untagged digest>} for an untagged candidate. */
    public String label() {
        return tag != null ? tag : "<untagged " + digest + ">";
    }
}
