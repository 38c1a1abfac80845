package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.worker.job.Attempt;
import io.imagefarm.worker.job.BuildAbandonedException;
import io.imagefarm.worker.job.JobListener;
import io.imagefarm.worker.job.JobResult;
import io.imagefarm.worker.job.JobSpec;
import io.imagefarm.worker.job.RetryPolicy;
import io.imagefarm.worker.job.StatusSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What becomes of one delivery of an event, for both incoming channels (the work queue and the retry
 * topic): the job runs, and the delivery is acknowledged, dead-lettered or left for redelivery. Plain
 * Java, so the decisions are unit-tested without Kafka; the consumer maps a {@link Disposition} to
 * ack / nack.
 *
 * <ul>
 * <li>Done (BUILT, EXISTS, FAILED published): {@link Ack}.</li>
 * <li>Retry later (REQUESTED published by the job): the event is written to the retry topic, same key and
 * value, the next attempt in {@link RetryHeaders}, and the write is awaited (acks=all, idempotent
 * producer); only then {@link Ack}. Nothing is lost: if the worker dies between the two, the original is
 * delivered again and at worst makes a second retry record, which costs one registry HEAD (the job
 * reports EXISTS first) or one more attempt.</li>
 * <li>An unexpected failure (a RuntimeException nothing classified: a bug, or a local condition no one
 * foresaw) is handled like a transient one: REQUESTED (failure INTERNAL_ERROR), then a retry record
 * counting it in {@link RetryHeaders#UNEXPECTED_FAILURES}. At {@code max-unexpected-failures} (or when
 * the attempts or the budget are used up) FAILED INTERNAL_ERROR is published and the event is parked in
 * the dead-letter topic with the exception as the reason ({@link DeadLetter}). One event's bug never
 * stops the worker taking the next events: liveness stays UP.</li>
 * <li>Abandoned at shutdown: {@link LeaveUnacked}, nothing published; Kafka delivers it again.</li>
 * <li>Kafka refused a status or the retry record: {@link LeaveUnacked} with a reason for liveness. The event
 * is not safely anywhere else, so it must not be acknowledged; and since an un-acked record only comes
 * back after a restart (or a rebalance), the worker reports itself broken rather than sit on it until the
 * commit strategy's max-age runs out. Kafka being unable to take writes is also the one condition in
 * which the worker cannot do its work at all.</li>
 * </ul>
 */
public final class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    /** The job, with its status sink and abandonment check bound. */
    @FunctionalInterface
    public interface Job {
        JobResult run(JobSpec job, Attempt attempt);
    }

    /** The retry topic. {@link #put} returns once the record is durable, or throws. */
    @FunctionalInterface
    public interface RetryQueue {
        void put(String key, byte[] value, RetryHeaders.Retry retry);
    }

    /** What the consumer does with the delivery. */
    public sealed interface Disposition permits Ack, DeadLetter, LeaveUnacked {
    }

    /** Commit it: its outcome is on the status topic, or it is safely on the retry topic. */
    public record Ack() implements Disposition {
    }

    /** Nack it into the dead-letter topic, with {@code reason} as the dead-letter reason. */
    public record DeadLetter(RuntimeException reason) implements Disposition {
    }

    /**
     * Neither ack nor nack: the event is delivered again after a restart or rebalance.
     *
     * @param broken why liveness must go DOWN, or null (shutdown: the process is going anyway)
     */
    public record LeaveUnacked(String broken) implements Disposition {
    }

    /** The dead-letter reason of an event whose job kept failing unexpectedly. */
    public static final class UnexpectedFailure extends RuntimeException {
        UnexpectedFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Job job;
    private final StatusSink statuses;
    private final RetryQueue retries;
    private final RetryPolicy policy;
    private final JobListener listener;
    private final Clock clock;

    public JobRunner(Job job, StatusSink statuses, RetryQueue retries, RetryPolicy policy, JobListener listener,
                     Clock clock) {
        this.job = job;
        this.statuses = statuses;
        this.retries = retries;
        this.policy = policy;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * @param key   the record's key (the image ref), kept on the retry record
     * @param value the record's value as received, kept byte for byte on the retry record
     */
    public Disposition run(JobSpec spec, Attempt attempt, String key, byte[] value) {
        Instant start = clock.instant();
        String retryKey = key != null ? key : spec.image().toString();
        JobResult result;
        try {
            result = job.run(spec, attempt);
        } catch (BuildAbandonedException e) {
            LOG.warn(e.getMessage() + "; the event is not acknowledged and will be delivered again");
            return new LeaveUnacked(null);
        } catch (StatusPublishException e) {
            return kafkaRefused(spec, e);
        } catch (RuntimeException e) {
            return unexpected(spec, attempt, retryKey, value, e, start);
        }
        if (!result.retryLater()) {
            return new Ack();
        }
        return queue(spec, retryKey, value, new RetryHeaders.Retry(attempt.next(), result.retryNotBefore(), result.failure()));
    }

    private Disposition unexpected(JobSpec spec, Attempt attempt, String key, byte[] value, RuntimeException failure,
                                   Instant start) {
        listener.unexpectedFailure(spec, failure);
        int count = attempt.unexpectedFailures() + 1;
        Instant now = clock.instant();
        Optional<Instant> next = count < policy.maxUnexpectedFailures()
                ? policy.nextAttemptAt(attempt, now) : Optional.empty();
        String message = "unexpected failure " + count + " (attempt " + attempt.number() + ") of the job for "
                + spec.image() + ": " + describe(failure);
        try {
            if (next.isPresent()) {
                LOG.errorf(failure, "%s; the event goes to the retry topic for attempt %d, not before %s", message,
                        attempt.number() + 1, next.get());
                listener.retry(spec, FailureKind.INTERNAL_ERROR, policy.backoff(attempt.number()));
                statuses.publish(ImageStatus.retryQueued(spec.event(), attempt.number() + 1, FailureKind.INTERNAL_ERROR,
                        describe(failure), next.get(), now));
                return queue(spec, key, value, new RetryHeaders.Retry(attempt.nextAfterUnexpectedFailure(), next.get(),
                        FailureKind.INTERNAL_ERROR));
            }
            String why = count >= policy.maxUnexpectedFailures()
                    ? count + " of " + policy.maxUnexpectedFailures() + " unexpected failures"
                    : policy.exhausted(attempt);
            LOG.errorf(failure, "%s; %s: FAILED, and the event goes to the dead-letter topic", message, why);
            statuses.publish(ImageStatus.failed(spec.event(), FailureKind.INTERNAL_ERROR,
                    message + " (" + why + ")", "", clock.instant()));
            listener.finished(spec, new JobResult(BuildState.FAILED, FailureKind.INTERNAL_ERROR, 0,
                    Duration.between(start, clock.instant()), 0, 0));
            return new DeadLetter(new UnexpectedFailure(message + " (" + why + ")", failure));
        } catch (StatusPublishException e) {
            return kafkaRefused(spec, e);
        }
    }

    private Disposition queue(JobSpec spec, String key, byte[] value, RetryHeaders.Retry retry) {
        try {
            retries.put(key, value, retry);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: the retry record for attempt %d could not be written; the event is left "
                    + "unacknowledged, and the worker reports itself broken so a restart gets it delivered again",
                    spec.image(), retry.attempt().number());
            return new LeaveUnacked("cannot write the retry record of " + spec.image() + ": " + e.getMessage());
        }
        LOG.infof("%s: attempt %d queued in the retry topic, not before %s", spec.image(), retry.attempt().number(),
                retry.notBefore());
        return new Ack();
    }

    /** The exception and its causes, as one line: what a human needs in a status and a dead-letter reason. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(failure.toString());
        int depth = 0;
        for (Throwable cause = failure.getCause(); cause != null && cause != failure && depth < 4;
             cause = cause.getCause(), depth++) {
            text.append("; caused by ").append(cause);
        }
        return text.toString();
    }

    private static Disposition kafkaRefused(JobSpec spec, StatusPublishException e) {
        LOG.errorf(e, "%s: %s; the event is left unacknowledged, and the worker reports itself broken so a restart "
                + "gets it delivered again", spec.image(), e.getMessage());
        return new LeaveUnacked(e.getMessage());
    }
}
