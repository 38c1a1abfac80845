package io.imagefarm.janitor.usage;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.janitor.policy.ManagedTag;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * When CI last asked for each version hash, per image name: the retention-by-use input. Built from the
 * hasher's index-ref records on {@code imagefarm.image-status} ({@code builder-<hash>}, arch null,
 * {@code lastRequestedAt}); per-arch build records carry no request time and are ignored. Pure.
 */
public final class UsageHistory {

    private final Map<String, Map<String, Instant>> byImage = new HashMap<>();

    public static UsageHistory empty() {
        return new UsageHistory();
    }

    /** Folds one status record in; later or earlier, the newest request time wins. */
    public UsageHistory add(ImageStatus status) {
        if (!status.isIndex() || status.lastRequestedAt() == null) {
            return this;
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(status.image());
        } catch (InvalidReferenceException e) {
            return this;
        }
        String hash = status.versionHash();
        if (hash == null && ref.tag() != null) {
            hash = ManagedTag.parse(ref.tag()).filter(ManagedTag::isBuilder).map(ManagedTag::hash).orElse(null);
        }
        if (hash != null) {
            byImage.computeIfAbsent(ref.name(), n -> new HashMap<>()).merge(hash, status.lastRequestedAt(),
                    (a, b) -> a.isAfter(b) ? a : b);
        }
        return this;
    }

    /** Hash to last request time, for {@code registry/repository}. */
    public Map<String, Instant> lastRequested(String image) {
        return Map.copyOf(byImage.getOrDefault(image, Map.of()));
    }

    public int images() {
        return byImage.size();
    }
}
