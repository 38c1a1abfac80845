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
 * by arch, untagged manifests by config, signature tags by their image (deleted if it is missing or
 * planned for deletion). Then the safety rules override deletes, until nothing changes: (3) nothing
 * pushed within the grace period goes; (1) a digest that a kept tag (managed or not) also points at is
 * kept, because deleting a manifest by digest removes every tag on it; (2) a manifest a kept index points
 * at is kept, and so on down nested indexes (a per-arch index of an image and its provenance, too), and an
 * attestation manifest and the image it attests are kept together; (6) a {@code sha256-<hex>.sig} tag whose
 * image is kept is kept. Only digests whose every tag is deleted become delete operations, ordered so that a
 * half-applied plan never leaves a kept index without its children, nor an image without its attestation or
 * signature: indexes before their children, attestations before their image, an image before its signature
 * (each {@link Deletion#after()}). Then (4) the cap check, which counts builder and cache tags: signature
 * tags follow their images.
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

        boolean isSignature() {
            return managed != null && managed.isSignature();
        }

        /** Builder and cache tags; signature tags follow their images, so the cap does not count them twice. */
        boolean countsForCap() {
            return tag != null && !isSignature();
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
        List<Decision> signatures = new ArrayList<>();
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
                } else if (managed.get().isSignature()) {
                    signatures.add(d);
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
        decideSignatures(signatures, byDigest, parents, inventory.unlistedSigned());
        applyGracePeriod(decisions, now, byDigest, parents, pushMemo);
        applyProtection(decisions, unmanagedByDigest, byDigest, inventory.listsUntagged());

        List<Deletion> deletions = deletions(decisions, inventory, parents);
        long bytes = bytesReclaimable(inventory, deletions);
        int managedTags = (int) decisions.stream().filter(Decision::countsForCap).count();
        int tagsToDelete = (int) decisions.stream().filter(d -> d.countsForCap() && d.delete()).count();
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

    /**
     * A signature tag is tentatively deleted with its image; safety rule 6 keeps it if the image is kept.
     * An image that is neither an artifact here, nor any index's child, nor named by an attestation here is
     * gone: the signature is orphaned, unless the backend found it by digest (an image pushed after the tag
     * listing passed it): then it is kept for a later run to decide.
     */
    private static void decideSignatures(List<Decision> signatures, Map<String, Artifact> byDigest,
                                         Map<String, List<String>> parents, Set<String> unlistedSigned) {
        Set<String> attested = new HashSet<>();
        byDigest.values().stream().filter(a -> a.attests() != null).forEach(a -> attested.add(a.attests()));
        for (Decision d : signatures) {
            String image = d.managed.signedDigest();
            if (byDigest.containsKey(image) || parents.containsKey(image) || attested.contains(image)) {
                d.set(Reason.SIGNED_IMAGE_DELETED, "signature of " + image + ", which no kept tag or index holds");
            } else if (unlistedSigned.contains(image)) {
                d.set(Reason.SIGNED_IMAGE_UNLISTED, "signature of " + image + ", which no listed tag reaches but the registry has"
                        + " (pushed after the tag listing, or pinned by digest only)");
            } else {
                d.set(Reason.ORPHANED_SIGNATURE, "signature of " + image + ", which no tag, index child or attestation in the repository names");
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

    /**
     * Rule 3. Cache tags without a push time (OCI cache manifests carry none) are decided by arch alone. A
     * signature whose image is here follows its image, whose own push time rule 3 judges; an orphaned one is
     * judged by its own push time, and without one (cosign writes a zero timestamp) by its image's absence alone.
     */
    private void applyGracePeriod(List<Decision> decisions, Instant now, Map<String, Artifact> byDigest,
                                  Map<String, List<String>> parents, Map<String, Optional<Instant>> pushMemo) {
        Instant graceStart = now.minus(settings.gracePeriod());
        for (Decision d : decisions) {
            if (!d.delete() || d.reason == Reason.SIGNED_IMAGE_DELETED) {
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

    /** Rules 1, 2 and 6, to a fixpoint: every flip to keep can protect more digests. */
    private void applyProtection(List<Decision> decisions, Map<String, String> unmanagedByDigest,
                                 Map<String, Artifact> byDigest, boolean listsUntagged) {
        Protection p = new Protection(byDigest, listsUntagged, pairs(byDigest), new HashMap<>(), new HashMap<>(), new HashMap<>());
        unmanagedByDigest.forEach((digest, tag) -> p.keep(digest, tag, true));
        for (Decision d : decisions) {
            if (!d.delete()) {
                // an untagged manifest kept only by delete-untagged=false needs nothing (see Protection.protect)
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
                String image = d.isSignature() ? d.managed.signedDigest() : null;
                if (p.keptBy().containsKey(digest)) {
                    d.set(Reason.SHARES_DIGEST_WITH_KEPT_TAG, "digest " + digest + " is also " + p.keptBy().get(digest) + ", which is kept");
                } else if (p.protectedBy().containsKey(digest)) {
                    d.set(Reason.CHILD_OF_KEPT_INDEX, "child of kept index " + p.protectedBy().get(digest));
                } else if (p.pairedWith().containsKey(digest)) {
                    d.set(Reason.ATTESTATION_KEPT_WITH_IMAGE, p.pairedWith().get(digest));
                } else if (image != null && p.holds(image) != null) {
                    d.set(Reason.SIGNATURE_OF_KEPT_IMAGE, "signature of " + image + ", " + p.holds(image));
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

    /**
     * What is kept, and what that protects: an index's children, down nested indexes, and attestation pairs.
     * Grows only: the safety rules only ever turn a delete into a keep.
     */
    private record Protection(Map<String, Artifact> byDigest, boolean listsUntagged, Map<String, List<String>> pairs,
                              Map<String, String> keptBy, Map<String, String> protectedBy, Map<String, String> pairedWith) {

        /** @param needed whether it is kept because something needs it (not only by delete-untagged=false) */
        void keep(String digest, String label, boolean needed) {
            if (keptBy.putIfAbsent(digest, label) == null) {
                protect(digest, label, needed);
            }
        }

        /**
         * Everything {@code digest} needs, once each: its children (recursively) and, when it is {@code needed},
         * its attestation pair. Something kept only by delete-untagged=false holds no pair: every untagged
         * manifest is kept then anyway, and on OCI it is not even seen once its indexes are gone, so it must not
         * hold a tagged image (the next run would not), nor make its pair hold it back in turn.
         */
        private void protect(String digest, String label, boolean needed) {
            Artifact self = byDigest.get(digest);
            for (String other : needed ? pairs.getOrDefault(digest, List.of()) : List.<String>of()) {
                boolean attestedImage = self != null && other.equals(self.attests());
                String why = attestedImage ? "image attested by kept attestation " + digest + " (" + label + ")"
                        : "attestation of kept image " + digest + " (" + label + ")";
                if (pairedWith.putIfAbsent(other, why) == null && !protectedBy.containsKey(other)) {
                    protect(other, label, true);
                }
            }
            if (self == null) {
                return;
            }
            for (String child : self.children()) {
                if (protectedBy.putIfAbsent(child, label) == null && !pairedWith.containsKey(child)) {
                    protect(child, label, true);
                }
            }
        }

        /**
         * Why the image {@code digest} stays, in words, or null if nothing kept so far holds it: a kept tag, a
         * kept index, or its kept attestation pair. On an OCI registry an untagged manifest that nothing else
         * holds is unreachable, whatever its own decision: the next scan cannot see it and the registry's
         * garbage collection takes it, so it holds nothing here.
         */
        String holds(String digest) {
            if (protectedBy.containsKey(digest)) {
                return "kept as a child of index " + protectedBy.get(digest);
            }
            if (pairedWith.containsKey(digest)) {
                return "kept as the " + pairedWith.get(digest);
            }
            Artifact a = byDigest.get(digest);
            boolean unreachable = !listsUntagged && a != null && a.untagged();
            return keptBy.containsKey(digest) && !unreachable ? "kept as " + keptBy.get(digest) : null;
        }
    }

    /** Image digest to the attestation manifests that describe it: they are deleted before it. */
    private static Map<String, List<String>> attestationsOf(Map<String, Artifact> byDigest) {
        Map<String, List<String>> attestations = new HashMap<>();
        byDigest.values().stream().filter(a -> a.attests() != null).sorted(Comparator.comparing(Artifact::digest))
                .forEach(a -> attestations.computeIfAbsent(a.attests(), k -> new ArrayList<>()).add(a.digest()));
        return attestations;
    }

    // ------------------------------------------------------------------------------------- results

    private static List<Deletion> deletions(List<Decision> decisions, Inventory inventory, Map<String, List<String>> parents) {
        Map<String, List<Decision>> byDigest = new LinkedHashMap<>();
        decisions.forEach(d -> byDigest.computeIfAbsent(d.artifact.digest(), k -> new ArrayList<>()).add(d));
        List<Artifact> doomed = new ArrayList<>();
        for (Artifact a : inventory.artifacts()) {
            List<Decision> ds = byDigest.getOrDefault(a.digest(), List.of());
            boolean allManaged = a.tags().stream().allMatch(ManagedTag::isManaged);
            if (!ds.isEmpty() && allManaged && ds.stream().allMatch(Decision::delete)) {
                doomed.add(a);
            }
        }
        Set<String> deleted = new HashSet<>();
        doomed.forEach(a -> deleted.add(a.digest()));
        Map<String, List<String>> attestationsOf = attestationsOf(inventory.byDigest());
        Map<String, Deletion> deletions = new LinkedHashMap<>();
        for (Artifact a : doomed) {
            List<Decision> ds = byDigest.get(a.digest());
            Set<String> after = new java.util.TreeSet<>();
            // Indexes before their children: an interrupted run never leaves an index whose children are gone.
            parents.getOrDefault(a.digest(), List.of()).stream().filter(deleted::contains).forEach(after::add);
            // Attestations before their image, the image before its signature: neither is left without the other.
            attestationsOf.getOrDefault(a.digest(), List.of()).stream().filter(deleted::contains).forEach(after::add);
            ds.stream().filter(Decision::isSignature).map(d -> d.managed.signedDigest()).filter(deleted::contains).forEach(after::add);
            after.remove(a.digest());
            List<String> tags = ds.stream().map(d -> d.tag).filter(t -> t != null).sorted().toList();
            deletions.put(a.digest(), new Deletion(a.digest(), a.versionId(), tags, a.index(), ds.get(0).reason, List.copyOf(after)));
        }
        return ordered(deletions);
    }

    /**
     * Every deletion after those it names in {@link Deletion#after()}; otherwise indexes first, then manifests,
     * then signatures, each by label. The constraints come from a content-addressed graph and cannot form a
     * cycle; if one ever did, the rest follow in the same order rather than being dropped.
     */
    private static List<Deletion> ordered(Map<String, Deletion> deletions) {
        Comparator<Deletion> rank = Comparator.comparingInt((Deletion d) -> d.index() ? 0
                : !d.tags().isEmpty() && d.tags().stream().allMatch(ManagedTag::isSignature) ? 2 : 1).thenComparing(Deletion::label);
        Map<String, Integer> waiting = new HashMap<>();
        Map<String, List<Deletion>> unblocks = new HashMap<>();
        java.util.PriorityQueue<Deletion> ready = new java.util.PriorityQueue<>(rank);
        for (Deletion d : deletions.values()) {
            waiting.put(d.digest(), d.after().size());
            d.after().forEach(first -> unblocks.computeIfAbsent(first, k -> new ArrayList<>()).add(d));
            if (d.after().isEmpty()) {
                ready.add(d);
            }
        }
        List<Deletion> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            Deletion d = ready.poll();
            order.add(d);
            for (Deletion next : unblocks.getOrDefault(d.digest(), List.of())) {
                if (waiting.merge(next.digest(), -1, Integer::sum) == 0) {
                    ready.add(next);
                }
            }
        }
        if (order.size() < deletions.size()) {
            Set<String> placed = new HashSet<>();
            order.forEach(d -> placed.add(d.digest()));
            deletions.values().stream().filter(d -> !placed.contains(d.digest())).sorted(rank).forEach(order::add);
        }
        return order;
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
