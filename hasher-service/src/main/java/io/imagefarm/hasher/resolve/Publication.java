package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import java.util.List;

/**
 * What one request publishes, atomically: requests for missing arches (proposals for the
 * {@link RequestDecider}, on the requests topic), statuses, and status keys to forget (tombstones on
 * the compacted status topic: a retry forgets a failure).
 */
public record Publication(List<ImageRequired> requests, List<ImageStatus> statuses, List<String> forget) {

    public Publication(List<ImageRequired> requests, List<ImageStatus> statuses) {
        this(requests, statuses, List.of());
    }

    public boolean isEmpty() {
        return requests.isEmpty() && statuses.isEmpty() && forget.isEmpty();
    }
}
