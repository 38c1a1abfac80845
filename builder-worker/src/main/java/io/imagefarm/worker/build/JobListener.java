package io.imagefarm.worker.build;

import io.imagefarm.core.event.FailureKind;
import java.time.Duration;

/** What a {@link BuildJob} tells the outside (metrics) while it runs. */
public interface JobListener {

    /** One {@code buildx build} starts. */
    default void attempt(JobSpec job, int attempt) {
    }

    /** A transient failure; the job waits {@code backoff} and tries again. */
    default void retry(JobSpec job, FailureKind kind, Duration backoff) {
    }

    default void finished(JobSpec job, JobResult result) {
    }

    JobListener NONE = new JobListener() {
    };
}
