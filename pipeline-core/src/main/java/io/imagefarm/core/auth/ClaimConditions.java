package io.imagefarm.core.auth;

import java.util.List;

/**
 * Extra conditions an OIDC token must meet for one repository, as trusted publishers configure
 * them: the token's {@code ref} and {@code job_workflow_ref} must each match one of the patterns
 * (an empty list means no condition).
 */
public record ClaimConditions(List<Glob> ref, List<Glob> jobWorkflowRef) {

    public static final ClaimConditions NONE = new ClaimConditions(List.of(), List.of());

    public ClaimConditions {
        ref = List.copyOf(ref);
        jobWorkflowRef = List.copyOf(jobWorkflowRef);
    }
}
