package io.imagefarm.janitor.policy;

import io.imagefarm.janitor.policy.Reason.Action;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The janitor's policy, pure: an {@link Inventory}, the last request time per version hash and
 * {@code now} in, a {@link Plan} out. No I/O, no clock, no framework.
 *
 * <p>It decides in two stages. First retention: builder hashes by count and by last use, cache tags
 * by arch, untagged manifests by config. Then the safety rules override deletes, until nothing
 * changes: (3) nothing pushed within the grace period goes; (1) a digest that a kept tag (managed or
 * not) also points at is kept, because deleting a manifest by digest removes every tag on it; (2) a
 * manifest a kept index points at is kept, and so on down nested indexes (a per-arch index of an image and
 * its provenance, too), and an attestation manifest and the image it attests are kept together. Only digests whose every
 * tag is deleted become delete operations, indexes first so a half-applied plan never leaves a kept
 * index without its children. Then (4) the cap check.
 */
public final class RetentionPolicy {

    private final PolicySettings settings;

    public RetentionPolicy(PolicySettings settings) {
        this.settings = settings;
    }

    public PolicySettings settings() {
        return settings;
    }

    /** One candidate under decision: a managed tag, or an untagged artifact (tag null). */
    private static final class Decision {
        final String tag;
        final ManagedTag managed;
        final Artifact artifact;
        Reason reason;
        String detail;

        Decision(String tag, ManagedTag managed, Artifact artifact) {
            this.tag = tag;
            this.managed = managed;
            this.artifact = artifact;
        }

        void set(Reason r, String d) {
            reason = r;
            detail = d;
        }

        boolean delete() {
            return reason.action() == Action.DELETE;
        }

        String label() {
            return tag != null ? tag : "<untagged " + artifact.digest() + ">";
        }
    }

    public Plan plan(Inventory inventory, Map<String, Instant> lastRequestedByHash, Instant now) {
        Map<String, Artifact> byDigest = inventory.byDigest();
        Map<String, List<String>> parents = new HashMap<>();
        for (Artifact a : inventory.artifacts()) {
            for (String child : a.children()) {
                parents.computeIfAbsent(child, c -> new ArrayList<>()).add(a.digest());
            }
        }
        Map<String, Optional<Instant>> pushMemo = new HashMap<>();

        List<Decision> decisions = new ArrayList<>();
        Map<String, List<Decision>> builderByHash = new TreeMap<>();
        List<Decision> caches = new ArrayList<>();
        Map<String, String> unmanagedByDigest = new LinkedHashMap<>();
        for (Artifact a : inventory.artifacts()) {
            for (String tag : a.tags().stream().sorted().toList()) {
                Optional<ManagedTag> managed = ManagedTag.parse(tag);
                if (managed.isEmpty()) {
                    unmanagedByDigest.putIfAbsent(a.digest(), tag);
                    continue;
                }
                Decision d = new Decision(tag, managed.get(), a);
                decisions.add(d);
                if (managed.get().isBuilder()) {
                    builderByHash.computeIfAbsent(managed.get().hash(), h -> new ArrayList<>()).add(d);
                } else {
                    caches.add(d);
                }
            }
            if (a.untagged()) {
                decisions.add(decideUntagged(new Decision(null, null, a), parents, inventory.listsUntagged()));
            }
        }

        decideBuilders(builderByHash, lastRequestedByHash, now, byDigest, parents, pushMemo);
        decideCaches(caches);
        applyGracePeriod(decisions, now, byDigest, parents, pushMemo);
        applyProtection(decisions, unmanagedByDigest, byDigest);

        List<Deletion> deletions = deletions(decisions, inventory);
        long bytes = bytesReclaimable(inventory, deletions);
        int managedTags = (int) decisions.stream().filter(d -> d.tag != null).count();
        int tagsToDelete = (int) decisions.stream().filter(d -> d.tag != null && d.delete()).count();
        Cap cap = Cap.check(tagsToDelete, managedTags, settings.maxDeletions(), settings.maxDeletionFraction());

        List<PlanItem> items = decisions.stream()
                .sorted(Comparator.comparing((Decision d) -> d.tag == null).thenComparing(d -> d.tag != null ? d.tag : d.artifact.digest()))
                .map(d -> new PlanItem(d.tag, d.artifact.digest(), d.artifact.versionId(), d.reason.action(), d.reason, d.detail,
                        effectivePush(d.artifact.digest(), byDigest, parents, pushMemo, new HashSet<>()).orElse(null)))
                .toList();
        return new Plan(inventory.image(), now, items, deletions, inventory.tagCount(), managedTags, bytes, cap);
    }

    // ------------------------------------------------------------------------------------- retention

    private void decideBuilders(Map<String, List<Decision>> byHash, Map<String, Instant> lastRequested, Instant now,
                                Map<String, Artifact> byDigest, Map<String, List<String>> parents,
                                Map<String, Optional<Instant>> pushMemo) {
        Map<String, Instant> pushed = new HashMap<>();
        for (Map.Entry<String, List<Decision>> e : byHash.entrySet()) {
            e.getValue().stream()
                    .map(d -> effectivePush(d.artifact.digest(), byDigest, parents, pushMemo, new HashSet<>()))
                    .flatMap(Optional::stream)
                    .max(Comparator.naturalOrder())
                    .ifPresent(t -> pushed.put(e.getKey(), t));
        }
        List<String> ranked = pushed.keySet().stream()
                .sorted(Comparator.comparing((String h) -> pushed.get(h)).thenComparing(Comparator.naturalOrder()).reversed())
                .toList();
        Instant usedSince = now.minus(settings.keepUsed());
        for (Map.Entry<String, List<Decision>> e : byHash.entrySet()) {
            String hash = e.getKey();
            Instant push = pushed.get(hash);
            Instant used = lastRequested.get(hash);
            String usedText = used == null ? "never requested" : "last requested " + used;
            Reason reason;
            String detail;
            if (push == null) {
                reason = Reason.PUSH_TIME_UNKNOWN;
                detail = "hash " + hash + ": no push time could be read";
            } else {
                int rank = ranked.indexOf(hash) + 1;
                if (rank <= settings.keepHashes()) {
                    reason = Reason.NEWEST_HASH;
                    detail = "hash " + hash + " is #" + rank + " of the " + settings.keepHashes() + " newest (pushed " + push + ")";
                } else if (used != null && !used.isBefore(usedSince)) {
                    reason = Reason.RECENTLY_REQUESTED;
                    detail = "hash " + hash + " " + usedText + ", within " + settings.keepUsed().toDays() + " days";
                } else {
                    reason = Reason.STALE_HASH;
                    detail = "hash " + hash + " is #" + rank + " by push time (pushed " + push + "), keep-hashes "
                            + settings.keepHashes() + "; " + usedText + (used == null ? "" : ", before " + usedSince);
                }
            }
            for (Decision d : e.getValue()) {
                d.set(reason, detail);
            }
        }
    }

    private void decideCaches(List<Decision> caches) {
        boolean perArchExists = caches.stream()
                .anyMatch(d -> d.managed.kind() == ManagedTag.Kind.ARCH_CACHE && settings.arches().contains(d.managed.arch()));
        for (Decision d : caches) {
            if (d.managed.kind() == ManagedTag.Kind.ARCH_CACHE) {
                if (settings.arches().contains(d.managed.arch())) {
                    d.set(Reason.CURRENT_CACHE, "cache of configured arch " + d.managed.arch());
                } else {
                    d.set(Reason.ARCH_NOT_CONFIGURED, "arch " + d.managed.arch() + " is not among the configured " + settings.arches());
                }
            } else if (!settings.deleteLegacyCache()) {
                d.set(Reason.LEGACY_CACHE_KEPT_BY_CONFIG, "delete-legacy-cache=false");
            } else if (perArchExists) {
                d.set(Reason.LEGACY_CACHE_SUPERSEDED, "per-arch cache refs of configured arches exist");
            } else {
                d.set(Reason.LEGACY_CACHE_ONLY_CACHE, "no per-arch cache ref of a configured arch exists yet");
            }
        }
    }

    private Decision decideUntagged(Decision d, Map<String, List<String>> parents, boolean listsUntagged) {
        if (!settings.deleteUntagged()) {
            d.set(Reason.UNTAGGED_KEPT_BY_CONFIG, "delete-untagged=false");
        } else if (parents.containsKey(d.artifact.digest())) {
            d.set(Reason.ORPHANED_CHILD, "untagged child of " + parents.get(d.artifact.digest()).size() + " index(es), none kept");
        } else if (listsUntagged) {
            d.set(Reason.UNTAGGED_SUPERSEDED, "untagged: replaced by a later push");
        } else {
            d.set(Reason.UNTAGGED_KEPT_BY_CONFIG, "untagged and not a child of any index");
        }
        return d;
    }

    // ------------------------------------------------------------------------------------- safety rules

    /** Rule 3. Cache tags without a push time (OCI cache manifests carry none) are decided by arch alone. */
    private void applyGracePeriod(List<Decision> decisions, Instant now, Map<String, Artifact> byDigest,
                                  Map<String, List<String>> parents, Map<String, Optional<Instant>> pushMemo) {
        Instant graceStart = now.minus(settings.gracePeriod());
        for (Decision d : decisions) {
            if (!d.delete()) {
                continue;
            }
            Optional<Instant> push = effectivePush(d.artifact.digest(), byDigest, parents, pushMemo, new HashSet<>());
            if (push.isEmpty()) {
                if (d.managed == null || d.managed.isBuilder()) {
                    d.set(Reason.PUSH_TIME_UNKNOWN, "no push time could be read for " + d.artifact.digest());
                }
            } else if (push.get().isAfter(graceStart)) {
                d.set(Reason.WITHIN_GRACE_PERIOD, "pushed " + push.get() + ", within the grace period (since " + graceStart + ")");
            }
        }
    }

    /** Rules 1 and 2, to a fixpoint: every flip to keep can protect more digests. */
    private void applyProtection(List<Decision> decisions, Map<String, String> unmanagedByDigest,
                                 Map<String, Artifact> byDigest) {
        Map<String, String> keptBy = new HashMap<>();
        Map<String, String> protectedBy = new HashMap<>();
        Map<String, String> pairedWith = new HashMap<>();
        Protection p = new Protection(byDigest, pairs(byDigest), keptBy, protectedBy, pairedWith);
        unmanagedByDigest.forEach((digest, tag) -> p.keep(digest, tag, true));
        for (Decision d : decisions) {
            if (!d.delete()) {
                // an untagged attestation kept only by delete-untagged=false needs nothing: on OCI it is not even
                // seen once its indexes are gone, so it must not hold its image (the next run would not)
                p.keep(d.artifact.digest(), d.label(), d.reason != Reason.UNTAGGED_KEPT_BY_CONFIG);
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Decision d : decisions) {
                if (!d.delete()) {
                    continue;
                }
                String digest = d.artifact.digest();
                if (keptBy.containsKey(digest)) {
                    d.set(Reason.SHARES_DIGEST_WITH_KEPT_TAG, "digest " + digest + " is also " + keptBy.get(digest) + ", which is kept");
                } else if (protectedBy.containsKey(digest)) {
                    d.set(Reason.CHILD_OF_KEPT_INDEX, "child of kept index " + protectedBy.get(digest));
                } else if (pairedWith.containsKey(digest)) {
                    d.set(Reason.ATTESTATION_KEPT_WITH_IMAGE, pairedWith.get(digest));
                } else {
                    continue;
                }
                p.keep(digest, d.label(), true);
                changed = true;
            }
        }
    }

    /** Attestation manifests and the images they attest, both ways: digest to the digests kept with it. */
    private static Map<String, List<String>> pairs(Map<String, Artifact> byDigest) {
        Map<String, List<String>> pairs = new HashMap<>();
        for (Artifact a : byDigest.values()) {
            if (a.attests() != null && !a.attests().equals(a.digest())) {
                pairs.computeIfAbsent(a.attests(), k -> new ArrayList<>()).add(a.digest());
                pairs.computeIfAbsent(a.digest(), k -> new ArrayList<>()).add(a.attests());
            }
        }
        return pairs;
    }

    /** What is kept, and what that protects: an index's children, down nested indexes, and attestation pairs. */
    private record Protection(Map<String, Artifact> byDigest, Map<String, List<String>> pairs, Map<String, String> keptBy,
                              Map<String, String> protectedBy, Map<String, String> pairedWith) {

        /** @param needed whether it is kept because something needs it (not only by delete-untagged=false) */
        void keep(String digest, String label, boolean needed) {
            if (keptBy.putIfAbsent(digest, label) == null) {
                protect(digest, label, needed);
            }
        }

        /**
         * Everything {@code digest} needs, once each: its children (recursively) and its attestation pair (the
         * image it attests only when it is {@code needed}).
         */
        private void protect(String digest, String label, boolean needed) {
            Artifact self = byDigest.get(digest);
            for (String other : pairs.getOrDefault(digest, List.of())) {
                boolean attestedImage = self != null && other.equals(self.attests());
                if (attestedImage && !needed) {
                    continue;
                }
                String why = attestedImage ? "image attested by kept attestation " + digest + " (" + label + ")"
                        : "attestation of kept image " + digest + " (" + label + ")";
                if (pairedWith.putIfAbsent(other, why) == null && !protectedBy.containsKey(other)) {
                    protect(other, label, true);
                }
            }
            Artifact a = byDigest.get(digest);
            if (a == null) {
                return;
            }
            for (String child : a.children()) {
                if (protectedBy.putIfAbsent(child, label) == null && !pairedWith.containsKey(child)) {
                    protect(child, label, true);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------- results

    private static List<Deletion> deletions(List<Decision> decisions, Inventory inventory) {
        Map<String, List<Decision>> byDigest = new LinkedHashMap<>();
        decisions.forEach(d -> byDigest.computeIfAbsent(d.artifact.digest(), k -> new ArrayList<>()).add(d));
        List<Deletion> deletions = new ArrayList<>();
        for (Artifact a : inventory.artifacts()) {
            List<Decision> ds = byDigest.getOrDefault(a.digest(), List.of());
            boolean allManaged = a.tags().stream().allMatch(ManagedTag::isManaged);
            if (ds.isEmpty() || !allManaged || !ds.stream().allMatch(Decision::delete)) {
                continue;
            }
            List<String> tags = ds.stream().map(d -> d.tag).filter(t -> t != null).sorted().toList();
            deletions.add(new Deletion(a.digest(), a.versionId(), tags, a.index(), ds.get(0).reason));
        }
        // Indexes before manifests: an interrupted run never leaves an index whose children are gone.
        deletions.sort(Comparator.comparing((Deletion d) -> !d.index()).thenComparing(Deletion::label));
        return deletions;
    }

    private static long bytesReclaimable(Inventory inventory, List<Deletion> deletions) {
        Set<String> deleted = new HashSet<>();
        deletions.forEach(d -> deleted.add(d.digest()));
        Map<String, Long> freed = new HashMap<>();
        Set<String> stillReferenced = new HashSet<>();
        for (Artifact a : inventory.artifacts()) {
            if (deleted.contains(a.digest())) {
                freed.putAll(a.blobs());
            } else {
                stillReferenced.addAll(a.blobs().keySet());
            }
        }
        return freed.entrySet().stream().filter(e -> !stillReferenced.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * The artifact's own push time; for an index without one, its newest child's; else the newest of
     * its parent indexes' (attestation manifests carry none).
     */
    private static Optional<Instant> effectivePush(String digest, Map<String, Artifact> byDigest,
                                                   Map<String, List<String>> parents,
                                                   Map<String, Optional<Instant>> memo, Set<String> visiting) {
        Optional<Instant> known = memo.get(digest);
        if (known != null) {
            return known;
        }
        Optional<Instant> result = ownOrChildren(digest, byDigest, new HashSet<>());
        if (result.isEmpty() && visiting.add(digest)) {
            result = parents.getOrDefault(digest, List.of()).stream()
                    .map(p -> effectivePush(p, byDigest, parents, memo, visiting))
                    .flatMap(Optional::stream)
                    .max(Comparator.naturalOrder());
        }
        memo.put(digest, result);
        return result;
    }

    private static Optional<Instant> ownOrChildren(String digest, Map<String, Artifact> byDigest, Set<String> visiting) {
        Artifact a = byDigest.get(digest);
        if (a == null || !visiting.add(digest)) {
            return Optional.empty();
        }
        if (a.pushedAt() != null) {
            return Optional.of(a.pushedAt());
        }
        return a.children().stream().map(c -> ownOrChildren(c, byDigest, visiting)).flatMap(Optional::stream)
                .max(Comparator.naturalOrder());
    }
}
