package io.imagefarm.janitor.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A run's rate-limit budget for one API: at most {@code perMinute} write requests in any sliding minute
 * (GitHub allows about 180 deletes a minute per endpoint; stay under it), and at most {@code maxWait} of
 * waiting in total, for the window or for the server's {@code retry-after} / {@code x-ratelimit-reset}.
 * A wait that would go past the budget throws {@link RateBudgetExhaustedException}: the rest waits for the
 * next run instead of holding this one for an hour.
 */
public final class RateBudget {

    /** Waits; tests pass one that advances a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final int perMinute;
    private final Duration maxWait;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Deque<Instant> recent = new ArrayDeque<>();
    private Duration waited = Duration.ZERO;

    public RateBudget(int perMinute, Duration maxWait, Clock clock, Sleeper sleeper) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("deletes per minute must be >= 1");
        }
        this.perMinute = perMinute;
        this.maxWait = maxWait;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Call before each write; waits for the sliding window if it is full. */
    public synchronized void acquire() {
        Instant now = clock.instant();
        while (!recent.isEmpty() && !recent.peekFirst().plus(WINDOW).isAfter(now)) {
            recent.pollFirst();
        }
        if (recent.size() >= perMinute) {
            waitFor(Duration.between(now, recent.peekFirst().plus(WINDOW)), "the " + perMinute + " deletes/minute budget is spent");
            acquire();
            return;
        }
        recent.addLast(now);
    }

    /** Waits as the server asked, or throws {@link RateBudgetExhaustedException} if that is past the budget. */
    public synchronized void waitFor(Duration wait, String why) {
        Duration d = wait.isNegative() ? Duration.ZERO : wait;
        if (waited.plus(d).compareTo(maxWait) > 0) {
            throw new RateBudgetExhaustedException(why + "; waiting " + d.toSeconds() + "s would exceed this run's rate-limit budget of "
                    + maxWait.toSeconds() + "s (already waited " + waited.toSeconds() + "s): the rest is deferred to the next run");
        }
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RateBudgetExhaustedException("interrupted while waiting for the rate limit");
        }
        waited = waited.plus(d);
    }
}
