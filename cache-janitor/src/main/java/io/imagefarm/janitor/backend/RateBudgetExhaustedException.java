package io.imagefarm.janitor.backend;

/**
 * The run's rate-limit budget is spent: waiting for the limit to reset would take longer than the run
 * may wait. The remaining deletions are deferred to the next run; a large backlog finishes over several.
 */
public final class RateBudgetExhaustedException extends RuntimeException {

    public RateBudgetExhaustedException(String message) {
        super(message);
    }
}
