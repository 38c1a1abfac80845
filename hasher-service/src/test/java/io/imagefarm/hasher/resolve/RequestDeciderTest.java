package io.imagefarm.hasher.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.testsupport.SettableClock;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.VersionInputs;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestDeciderTest {

    static final String IMAGE = "ghcr.io/acme/widget:builder-5ea78654994769b1-amd64";

    final SettableClock clock = new SettableClock(Instant.parse("2026-12-05T12:00:00Z"));
    final StatusBook book = new StatusBook(new ChangeWaiters(10), clock);
    final RequestDecider decider = new RequestDecider(book,
            new BookRules(book, Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofSeconds(90)), clock);

    static ImageRequired proposal() {
        return new ImageRequired(ImageRequired.SCHEMA_VERSION, UUID.randomUUID().toString(), "acme/widget", "a".repeat(40),
                "https://github.com/acme/widget.git", "5ea78654994769b1", new VersionInputs("1.83.0", "22.11.0", "9.15.0", "3.12.7", "0.5.11", "d".repeat(64)),
                IMAGE, "ghcr.io/acme/widget:buildcache-amd64", "linux/amd64", HashInputs.DOCKERFILE, ".", Instant.now());
    }

    /** Decides a batch and commits it, as the loop does. */
    boolean decide(ImageRequired p) {
        RequestDecider.Batch batch = decider.batch();
        boolean accepted = batch.offer(p).isPresent();
        batch.applyTo();
        return accepted;
    }

    @Test
    void ofTwoReplicasProposalsForOneImageOnlyTheFirstBecomesAnEvent() {
        ImageRequired fromHasher1 = proposal();
        ImageRequired fromHasher2 = proposal();

        assertThat(decide(fromHasher1)).isTrue();
        assertThat(decide(fromHasher2)).isFalse();
        assertThat(book.get(IMAGE)).get().satisfies(s -> {
            assertThat(s.state()).isEqualTo(BuildState.REQUESTED);
            assertThat(s.requestEventId()).isEqualTo(fromHasher1.eventId());
        });
    }

    @Test
    void withinOneBatchTheSecondProposalForAnImageIsDropped() {
        RequestDecider.Batch batch = decider.batch();

        assertThat(batch.offer(proposal())).isPresent();
        assertThat(batch.offer(proposal())).isEmpty();
        assertThat(batch.events()).hasSize(1);
        assertThat(book.get(IMAGE)).as("nothing reaches the book before the commit").isEmpty();
        batch.applyTo();
        assertThat(book.get(IMAGE)).isPresent();
    }

    @Test
    void anImageThatIsBuiltOrBuildingIsNotRequestedAgain() {
        ImageRequired first = proposal();
        decide(first);
        book.apply(ImageStatus.building(first, clock.instant()));
        assertThat(decide(proposal())).as("building, beating").isFalse();

        book.apply(ImageStatus.exists(IMAGE, "acme/widget", "5ea78654994769b1", "amd64", "sha256:" + "1".repeat(64), null,
                clock.instant()));
        assertThat(decide(proposal())).as("available").isFalse();
    }

    @Test
    void anAbandonedRequestIsRequestedAgainOnceItsTtlPassed() {
        decide(proposal());
        clock.advance(Duration.ofMinutes(31));

        assertThat(decide(proposal())).isTrue();
    }

    @Test
    void aRememberedPermanentFailureIsNotRetriedButATransientOneIs() {
        ImageRequired first = proposal();
        decide(first);
        book.apply(ImageStatus.failed(first, FailureKind.BUILD_ERROR, "exit 1", "log", clock.instant()));
        assertThat(decide(proposal())).isFalse();

        clock.advance(Duration.ofHours(2));
        assertThat(decide(proposal())).as("past failure-ttl").isTrue();
    }
}
