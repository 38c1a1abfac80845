package io.imagefarm.hasher.resolve;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import java.util.List;

/** What one resolve publishes, atomically: events for missing arches and the statuses that go with them. */
public record Publication(List<ImageRequired> events, List<ImageStatus> statuses) {

    public boolean isEmpty() {
        return events.isEmpty() && statuses.isEmpty();
    }
}
