package io.imagefarm.worker.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When a failed attempt gets another one. The backoff before attempt {@code n + 1} is
 * {@code initialBackoff × 2^(n-1)}, capped at {@code maxBackoff}; another attempt is allowed while
 * fewer than {@code maxAttempts} were made and it would start before the budget (counted from the
 * first attempt) runs out. Unexpected failures (bugs) are retried the same way, but at most
 * {@code maxUnexpectedFailures} of them end the event.
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration budget, int maxAttempts,
                          int maxUnexpectedFailures) {

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(budget, "budget");
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoffs must be positive with initial (" + initialBackoff
                    + ") <= max (" + maxBackoff + ")");
        }
        if (maxAttempts < 1 || maxUnexpectedFailures < 1) {
            throw new IllegalArgumentException("max-attempts (" + maxAttempts + ") and max-unexpected-failures ("
                    + maxUnexpectedFailures + ") must be at least 1");
        }
    }

    /** The wait after attempt {@code attempt} failed. */
    public Duration backoff(int attempt) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < attempt && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    /** When the event's retry budget runs out. */
    public Instant deadline(Attempt attempt) {
        return attempt.firstAttemptAt().plus(budget);
    }

    /**
     * When the next attempt may start, if {@code attempt} failed at {@code now} and another is allowed:
     * empty once {@code maxAttempts} attempts were made or the backoff would end past the budget.
     */
    public Optional<Instant> nextAttemptAt(Attempt attempt, Instant now) {
        if (attempt.number() >= maxAttempts) {
            return Optional.empty();
        }
        Instant notBefore = now.plus(backoff(attempt.number()));
        return notBefore.isBefore(deadline(attempt)) ? Optional.of(notBefore) : Optional.empty();
    }

    /** Why {@link #nextAttemptAt} said no, for a FAILED status and the log. */
    public String exhausted(Attempt attempt) {
        return attempt.number() >= maxAttempts
                ? "all " + maxAttempts + " attempts made"
                : "retry budget of " + budget + " used up";
    }
}
