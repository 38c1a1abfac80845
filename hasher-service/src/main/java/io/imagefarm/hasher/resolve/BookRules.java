package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * When the status book answers for an image by itself, so nothing is requested: the image is there
 * (BUILT, EXISTS), someone is on it (queued within the in-flight TTL, or building with a recent beat),
 * or it failed permanently a short while ago. Ages are measured on this replica's clock from when it
 * took the status in. The resolver and the request decider apply the same rules.
 */
public final class BookRules {

    private final StatusBook book;
    private final Duration inFlightTtl;
    private final Duration failureTtl;
    private final Duration buildingAlive;

    public BookRules(StatusBook book, Duration inFlightTtl, Duration failureTtl, Duration buildingAlive) {
        this.book = book;
        this.inFlightTtl = inFlightTtl;
        this.failureTtl = failureTtl;
        this.buildingAlive = buildingAlive;
    }

    /** Available, in flight, or a remembered failure: no new request for it. */
    public boolean answers(ImageStatus status, Instant now) {
        return status.state().available() || rememberedFailure(status, now) || alive(status, now);
    }

    public boolean rememberedFailure(ImageStatus status, Instant now) {
        return status.state() == BuildState.FAILED && status.failure() != null && !status.failure().isTransient()
                && age(status, now).compareTo(failureTtl) < 0;
    }

    /** Someone is on it: queued within the in-flight TTL, or building with a heartbeat within three beats. */
    public boolean alive(ImageStatus status, Instant now) {
        return switch (status.state()) {
            case REQUESTED -> age(status, now).compareTo(inFlightTtl) < 0;
            case BUILDING -> age(status, now).compareTo(buildingAlive) < 0;
            default -> false;
        };
    }

    /** Measured on this replica's clock from when it took the status in, not from another host's updatedAt. */
    private Duration age(ImageStatus status, Instant now) {
        return Duration.between(book.receivedAt(status.image()).orElse(status.updatedAt()), now);
    }
}
