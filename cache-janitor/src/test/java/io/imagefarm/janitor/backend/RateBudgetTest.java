package io.imagefarm.janitor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateBudgetTest {

    /** A clock the sleeper moves forward: waiting costs no real time. */
    static final class FakeTime extends Clock {
        Instant now = Instant.parse("2026-06-01T00:00:00Z");
        final List<Duration> sleeps = new ArrayList<>();

        void sleep(Duration d) {
            sleeps.add(d);
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aFullMinuteWindowWaitsUntilTheOldestRequestLeavesIt() {
        FakeTime time = new FakeTime();
        RateBudget budget = new RateBudget(3, Duration.ofMinutes(5), time, time::sleep);
        for (int i = 0; i < 3; i++) {
            budget.acquire();
            time.now = time.now.plusSeconds(1);
        }
        budget.acquire();
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(57));
    }

    @Test
    void aWaitPastTheRunsBudgetThrowsInsteadOfWaiting() {
        FakeTime time = new FakeTime();
        RateBudget budget = new RateBudget(180, Duration.ofSeconds(90), time, time::sleep);
        budget.waitFor(Duration.ofSeconds(60), "retry-after");

        assertThatThrownBy(() -> budget.waitFor(Duration.ofSeconds(60), "retry-after"))
                .isInstanceOf(RateBudgetExhaustedException.class)
                .hasMessageContaining("deferred to the next run");
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(60));
    }
}
