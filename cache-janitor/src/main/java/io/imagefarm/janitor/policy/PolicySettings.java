package io.imagefarm.janitor.policy;

import java.time.Duration;
import java.util.Set;

/**
 * One repository's retention settings (README, "Policy keys"), from the janitor's configuration; the defaults are
 * {@code JanitorConfig.Policy}'s {@code @WithDefault}s.
 *
 * @param keepHashes          keep the newest this many version hashes by push time
 * @param keepUsed            and any hash CI requested within this long
 * @param gracePeriod         never delete anything pushed within this long (a build may have just pushed it)
 * @param arches              the configured arches: their {@code buildcache-<arch>} refs are current
 * @param deleteLegacyCache   delete the shared {@code buildcache} once a per-arch cache ref exists
 * @param deleteUntagged      delete untagged versions older than the grace period (ghcr.io)
 * @param maxDeletions        deletion cap: at most this many managed tags per run without force
 * @param maxDeletionFraction deletion cap: at most this fraction of the managed tags per run without force
 */
public record PolicySettings(int keepHashes, Duration keepUsed, Duration gracePeriod, Set<String> arches,
                             boolean deleteLegacyCache, boolean deleteUntagged, int maxDeletions,
                             double maxDeletionFraction) {

    public PolicySettings {
        if (keepHashes < 0) {
            throw new IllegalArgumentException("keep-hashes must be >= 0, was " + keepHashes);
        }
        if (keepUsed.isNegative() || gracePeriod.isNegative()) {
            throw new IllegalArgumentException("keep-used-days and grace-period must not be negative");
        }
        if (maxDeletions < 0 || maxDeletionFraction < 0 || maxDeletionFraction > 1) {
            throw new IllegalArgumentException("max-deletions must be >= 0 and max-deletion-fraction within [0, 1]");
        }
        arches = Set.copyOf(arches);
    }
}
