package io.imagefarm.janitor.config;

import io.imagefarm.janitor.policy.PolicySettings;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Retention settings for tests: the janitor's defaults, read the way start-up reads them (from {@link JanitorConfig}'s
 * {@code @WithDefault}s, the one place they live), with what a test changes.
 */
public final class TestPolicies {

    private static final PolicySettings DEFAULTS = readDefaults();

    private TestPolicies() {
    }

    public static Builder defaults() {
        return from(DEFAULTS);
    }

    public static Builder from(PolicySettings settings) {
        return new Builder(settings);
    }

    private static PolicySettings readDefaults() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(JanitorConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("imagefarm.janitor.repositories.any.image", "registry.test/acme/any"),
                        "defaults", 400))
                .build();
        return new JanitorBeans().targets(config.getConfigMapping(JanitorConfig.class)).get(0).policy();
    }

    /** Changes some settings of a {@link PolicySettings}; {@link #build()} checks the result as the record does. */
    public static final class Builder {
        private int keepHashes;
        private Duration keepUsed;
        private Duration gracePeriod;
        private Set<String> arches;
        private boolean deleteLegacyCache;
        private boolean deleteUntagged;
        private int maxDeletions;
        private double maxDeletionFraction;

        private Builder(PolicySettings p) {
            keepHashes = p.keepHashes();
            keepUsed = p.keepUsed();
            gracePeriod = p.gracePeriod();
            arches = p.arches();
            deleteLegacyCache = p.deleteLegacyCache();
            deleteUntagged = p.deleteUntagged();
            maxDeletions = p.maxDeletions();
            maxDeletionFraction = p.maxDeletionFraction();
        }

        public Builder keepHashes(int n) {
            keepHashes = n;
            return this;
        }

        public Builder keepUsed(Duration d) {
            keepUsed = d;
            return this;
        }

        public Builder arches(Set<String> a) {
            arches = a;
            return this;
        }

        public Builder deleteLegacyCache(boolean b) {
            deleteLegacyCache = b;
            return this;
        }

        public Builder deleteUntagged(boolean b) {
            deleteUntagged = b;
            return this;
        }

        /** The deletion cap: at most {@code count} managed tags and {@code fraction} of them per run without force. */
        public Builder cap(int count, double fraction) {
            maxDeletions = count;
            maxDeletionFraction = fraction;
            return this;
        }

        public PolicySettings build() {
            return new PolicySettings(keepHashes, keepUsed, gracePeriod, arches, deleteLegacyCache, deleteUntagged, maxDeletions,
                    maxDeletionFraction);
        }
    }
}
