package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusBookTest {

    static final String AMD = "r/a/b:builder-0123456789abcdef-amd64";
    final StatusBook book = new StatusBook(new ChangeWaiters(4));

    static ImageStatus status(BuildState state, Instant updatedAt) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, AMD, "a/b", "0123456789abcdef", "amd64", state,
                null, null, null, null, null, null, null, "e", null, updatedAt);
    }

    @Test
    void statusesFollowTopicOrderWhateverTheirClocksSay() {
        book.apply(status(BuildState.REQUESTED, Instant.parse("2026-01-01T12:00:00Z")));
        book.apply(status(BuildState.BUILDING, Instant.parse("2026-01-01T11:50:00Z")));
        book.apply(status(BuildState.BUILT, Instant.parse("2026-01-01T11:51:00Z")));

        assertThat(book.get(AMD)).map(ImageStatus::state).contains(BuildState.BUILT);
        assertThat(book.refusedTransitions()).isZero();
    }

    @Test
    void aListenerThatThrowsIsCountedAndNeitherTheBookNorTheOtherListenersStop() {
        java.util.List<ImageStatus> seen = new java.util.ArrayList<>();
        book.onChange(s -> {
            throw new IllegalStateException("a listener's bug");
        });
        book.onChange(seen::add);

        book.apply(status(BuildState.REQUESTED, Instant.now()));
        book.apply(status(BuildState.BUILDING, Instant.now()));

        assertThat(seen).hasSize(2);
        assertThat(book.listenerFailures()).isEqualTo(2);
        assertThat(book.get(status(BuildState.BUILDING, Instant.now()).image())).map(ImageStatus::state).contains(BuildState.BUILDING);
    }

    @Test
    void aZombieHeartbeatAfterBuiltIsRefusedAndCounted() {
        book.apply(status(BuildState.BUILDING, Instant.now()));
        book.apply(status(BuildState.BUILT, Instant.now()));
        book.apply(status(BuildState.BUILDING, Instant.now()));

        assertThat(book.get(AMD)).map(ImageStatus::state).contains(BuildState.BUILT);
        assertThat(book.refusedTransitions()).isEqualTo(1);
    }

    @Test
    void hashesNotRequestedWithinTheWindowAreForgottenUnlessInFlight() {
        Instant[] now = {Instant.parse("2026-11-01T00:00:00Z")};
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        StatusBook bounded = new StatusBook(new ChangeWaiters(4), clock);
        String old = "0123456789abcdef";
        String recent = "fedcba9876543210";
        String building = "00000000ffffffff";
        bounded.apply(ImageStatus.index("r/a/b:builder-" + old, "a/b", old, BuildState.BUILT, "sha256:1", now[0], now[0]));
        bounded.apply(new ImageStatus(ImageStatus.SCHEMA_VERSION, "r/a/b:builder-" + old + "-amd64", "a/b", old, "amd64",
                BuildState.BUILT, "sha256:2", null, null, null, null, 1, 1, "e", null, now[0]));
        bounded.apply(new ImageStatus(ImageStatus.SCHEMA_VERSION, "r/a/b:builder-" + building + "-amd64", "a/b", building, "amd64",
                BuildState.BUILDING, null, null, null, null, null, null, null, "e", null, now[0]));
        now[0] = now[0].plus(java.time.Duration.ofDays(8));
        bounded.apply(ImageStatus.index("r/a/b:builder-" + recent, "a/b", recent, BuildState.REQUESTED, null, now[0], now[0]));

        assertThat(bounded.forgetHashesNotRequestedWithin(java.time.Duration.ofDays(7))).isEqualTo(2);

        assertThat(bounded.knows(old)).isFalse();
        assertThat(bounded.knows(recent)).isTrue();
        assertThat(bounded.knows(building)).as("in flight: kept for the dedup").isTrue();
        assertThat(bounded.size()).isEqualTo(2);
    }
}
