package io.imagefarm.worker.job;

import io.imagefarm.core.event.ClassifiedFailure;
import io.imagefarm.core.event.FailureKind;
import java.time.Duration;

/** What a {@link Builder} reports: pushed with a digest, or failed with a classified reason. */
public sealed interface BuildOutcome {

    /**
     * @param digest      the pushed manifest's digest
     * @param buildTime   time spent building (solving the steps)
     * @param pushTime    time spent exporting the image and the cache to the registry
     * @param cachedSteps Dockerfile steps taken from a cache (local or registry)
     * @param totalSteps  Dockerfile steps
     */
    record Pushed(String digest, Duration buildTime, Duration pushTime, int cachedSteps, int totalSteps)
            implements BuildOutcome {
    }

    /**
     * @param kind    what went wrong; {@link FailureKind#isTransient()} says whether another attempt may succeed
     * @param logTail the last lines of the build output
     */
    record Failed(FailureKind kind, String reason, String logTail) implements BuildOutcome {

        public ClassifiedFailure toException() {
            return new ClassifiedFailure(kind, reason, logTail, null);
        }
    }
}
