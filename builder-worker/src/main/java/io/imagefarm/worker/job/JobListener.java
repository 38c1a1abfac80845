package io.imagefarm.worker.job;

import io.imagefarm.core.event.FailureKind;
import java.time.Duration;

/** What a {@link BuildJob} (and the consumer around it) tells the outside (metrics) while it runs. */
public interface JobListener {

    /** One {@code buildx build} starts; {@code attempt} is the event's attempt number. */
    default void attempt(JobSpec job, int attempt) {
    }

    /** A transient (or unexpected) failure; the event goes to the retry topic for another attempt after {@code backoff}. */
    default void retry(JobSpec job, FailureKind kind, Duration backoff) {
    }

    /** The event is done: BUILT, EXISTS or FAILED is published. */
    default void finished(JobSpec job, JobResult result) {
    }

    /** A job failed in a way nothing classified (a bug); its event is retried or dead-lettered. */
    default void unexpectedFailure(JobSpec job, RuntimeException failure) {
    }
}
