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
    void aZombieHeartbeatAfterBuiltIsRefusedAndCounted() {
        book.apply(status(BuildState.BUILDING, Instant.now()));
        book.apply(status(BuildState.BUILT, Instant.now()));
        book.apply(status(BuildState.BUILDING, Instant.now()));

        assertThat(book.get(AMD)).map(ImageStatus::state).contains(BuildState.BUILT);
        assertThat(book.refusedTransitions()).isEqualTo(1);
    }
}
