package io.imagefarm.janitor.config;

import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.backend.RepositoryTarget.BackendKind;
import io.imagefarm.janitor.policy.PolicySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns the config into validated {@link RepositoryTarget}s: per-repository keys over the defaults. */
public final class Targets {

    private Targets() {
    }

    public static List<RepositoryTarget> from(JanitorConfig config) {
        List<RepositoryTarget> targets = new ArrayList<>();
        for (Map.Entry<String, JanitorConfig.Repository> e : new TreeMap<>(config.repositories()).entrySet()) {
            targets.add(target(e.getKey(), e.getValue(), config.defaults()));
        }
        return List.copyOf(targets);
    }

    public static RepositoryTarget target(String id, JanitorConfig.Repository r, JanitorConfig.Policy d) {
        String key = "imagefarm.janitor.repositories." + id;
        ImageRef ref;
        try {
            ref = ImageRef.parse(r.image() + ":latest");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ".image: " + e.getMessage(), e);
        }
        BackendKind kind;
        try {
            kind = BackendKind.valueOf(r.backend().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".backend must be oci or ghcr, was '" + r.backend() + "'", e);
        }
        String ownerType = r.ownerType().trim().toLowerCase(Locale.ROOT);
        if (!ownerType.equals("org") && !ownerType.equals("user")) {
            throw new IllegalArgumentException(key + ".owner-type must be org or user, was '" + r.ownerType() + "'");
        }
        Set<String> arches = new LinkedHashSet<>();
        for (String a : r.arches().orElse(d.arches())) {
            arches.add(Arch.parse(a).id());
        }
        PolicySettings policy;
        try {
            policy = new PolicySettings(r.keepHashes().orElse(d.keepHashes()),
                    Duration.ofDays(r.keepUsedDays().orElse(d.keepUsedDays())), r.gracePeriod().orElse(d.gracePeriod()),
                    arches, r.deleteLegacyCache().orElse(d.deleteLegacyCache()), r.deleteUntagged().orElse(d.deleteUntagged()),
                    r.maxDeletions().orElse(d.maxDeletions()), r.maxDeletionFraction().orElse(d.maxDeletionFraction()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
        return new RepositoryTarget(id, ref.registry(), ref.repository(), kind, policy, ownerType);
    }
}
