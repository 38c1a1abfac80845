package io.imagefarm.worker.build;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import java.time.Duration;

/**
 * How one event ended; the matching status has been published.
 *
 * @param state    BUILT, EXISTS or FAILED
 * @param failure  set for FAILED
 * @param attempts {@code buildx build} runs (0 when the image already existed)
 */
public record JobResult(BuildState state, FailureKind failure, int attempts, Duration duration, int cachedSteps,
                        int totalSteps) {
}
