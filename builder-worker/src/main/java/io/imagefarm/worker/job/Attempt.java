package io.imagefarm.worker.job;

import java.time.Instant;
import java.util.Objects;

/**
 * Which delivery of an event a job is: the first comes from the work queue, the later ones from the
 * arch's retry topic, whose record headers carry this (messaging's {@code RetryHeaders}).
 *
 * @param number             1-based: 1 for the event from the work queue, 2 for the first retry
 * @param firstAttemptAt     when the first attempt started: the retry budget counts from here
 * @param unexpectedFailures how many earlier attempts failed in a way nothing classified (a bug)
 */
public record Attempt(int number, Instant firstAttemptAt, int unexpectedFailures) {

    public Attempt {
        Objects.requireNonNull(firstAttemptAt, "firstAttemptAt");
        if (number < 1) {
            throw new IllegalArgumentException("attempt numbers start at 1, not " + number);
        }
        if (unexpectedFailures < 0) {
            throw new IllegalArgumentException("unexpected failures cannot be negative: " + unexpectedFailures);
        }
    }

    /** The event's first delivery, from the work queue. */
    public static Attempt first(Instant now) {
        return new Attempt(1, now, 0);
    }

    /** The attempt after this one, after a classified (transient) failure. */
    public Attempt next() {
        return new Attempt(number + 1, firstAttemptAt, unexpectedFailures);
    }

    /** The attempt after this one, after an unexpected failure. */
    public Attempt nextAfterUnexpectedFailure() {
        return new Attempt(number + 1, firstAttemptAt, unexpectedFailures + 1);
    }
}
