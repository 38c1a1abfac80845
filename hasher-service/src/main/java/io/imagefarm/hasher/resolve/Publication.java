package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import java.util.List;

/**
 * What one request publishes, atomically: events for missing arches, the statuses that go with them,
 * and status keys to forget (tombstones on the compacted status topic: a retry forgets a failure).
 */
public record Publication(List<ImageRequired> events, List<ImageStatus> statuses, List<String> forget) {

    public Publication(List<ImageRequired> events, List<ImageStatus> statuses) {
        this(events, statuses, List.of());
    }

    public boolean isEmpty() {
        return events.isEmpty() && statuses.isEmpty() && forget.isEmpty();
    }
}
