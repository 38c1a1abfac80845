package io.imagefarm.worker.job;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import java.time.Duration;
import java.time.Instant;

/**
 * How one attempt at an event ended; the matching status has been published.
 *
 * @param state     BUILT, EXISTS or FAILED: the event is done; REQUESTED: it failed transiently and is to
 *                  be retried (see {@link #retryLater()})
 * @param failure   set for FAILED and REQUESTED
 * @param attempts  {@code buildx build} runs in this attempt (0 or 1; 0 when the image already existed or
 *                  the attempt failed before building)
 * @param retryBackoff  for a retry: the backoff before the next attempt
 * @param retryNotBefore for a retry: when the next attempt may start (now + backoff)
 */
public record JobResult(BuildState state, FailureKind failure, int attempts, Duration duration, int cachedSteps,
                        int totalSteps, Duration retryBackoff, Instant retryNotBefore) {

    /** An event that is done: BUILT, EXISTS or FAILED. */
    public JobResult(BuildState state, FailureKind failure, int attempts, Duration duration, int cachedSteps,
                     int totalSteps) {
        this(state, failure, attempts, duration, cachedSteps, totalSteps, null, null);
    }

    /** A transient failure: REQUESTED is published, the event is to go to the retry topic. */
    public static JobResult retryLater(FailureKind failure, int attempts, Duration duration, Duration backoff,
                                       Instant notBefore) {
        return new JobResult(BuildState.REQUESTED, failure, attempts, duration, 0, 0, backoff, notBefore);
    }

    /** True when the event is not done: it must be written to the retry topic for another attempt. */
    public boolean retryLater() {
        return retryNotBefore != null;
    }
}
