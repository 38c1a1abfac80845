package io.imagefarm.janitor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The randomized property test of the pure policy: for generated registries, usage histories and
 * settings, apply the plan to a model registry with OCI deletion semantics (deleting a digest removes
 * every tag on it) and check that nothing the policy keeps is broken: no kept index loses a child, no kept
 * image its signature or attestation, no signature or attestation outlives its image.
 */
class RetentionPolicyPropertyTest {

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final int RUNS = 500;

    @Test
    void afterApplyingAnyPlanEveryKeptTagKeptIndexChildAndKeptImagesAttestationAndSignatureStillResolve() {
        Map<Reason, Integer> seen = new java.util.EnumMap<>(Reason.class);
        int capExceeded = 0;
        for (long seed = 1; seed <= RUNS; seed++) {
            boolean ghcr = seed % 3 == 0;
            RandomRegistries.Generated g = new RandomRegistries(seed, NOW).generate(ghcr, 12);
            Inventory before = g.inventory("registry.test/acme/widget");
            Plan plan = new RetentionPolicy(g.settings()).plan(before, g.lastRequested(), NOW);
            plan.items().forEach(i -> seen.merge(i.reason(), 1, Integer::sum));
            capExceeded += plan.cap().exceeded() ? 1 : 0;
            String ctx = "seed " + seed + " (" + (ghcr ? "ghcr" : "oci") + ", " + g.settings() + ")";

            Map<String, Artifact> byDigest = before.byDigest();
            Map<String, String> tagToDigest = new HashMap<>();
            before.artifacts().forEach(a -> a.tags().forEach(t -> tagToDigest.put(t, a.digest())));
            Set<String> deleted = plan.deletions().stream().map(Deletion::digest).collect(Collectors.toSet());

            // consistency: a digest is deleted exactly when all its candidates are planned for deletion
            Set<String> planned = plan.toDelete().stream().map(PlanItem::digest).collect(Collectors.toSet());
            assertThat(deleted).as(ctx).isEqualTo(planned);
            assertThat(plan.cap().tagsToDelete()).as(ctx).isEqualTo((int) plan.toDelete().stream()
                    .filter(i -> i.tag() != null && !ManagedTag.isSignature(i.tag())).count());

            // apply with OCI semantics
            Set<String> present = new HashSet<>(byDigest.keySet());
            Set<String> orderSeen = new HashSet<>();
            for (Deletion d : plan.deletions()) {
                // whatever a deletion must follow is deleted in this plan, and earlier
                assertThat(orderSeen).as(ctx + ": " + d.label() + " runs after " + d.after()).containsAll(d.after());
                for (String tag : d.tags()) {
                    ManagedTag.parse(tag).filter(ManagedTag::isSignature).map(ManagedTag::signedDigest).filter(deleted::contains)
                            .ifPresent(image -> assertThat(d.after()).as(ctx + ": signature " + tag + " after its image").contains(image));
                }
                String attested = byDigest.get(d.digest()).attests();
                if (attested != null && deleted.contains(attested)) {
                    assertThat(orderSeen).as(ctx + ": attestation " + d.digest() + " before its image").doesNotContain(attested);
                }
                // indexes before their children
                for (Artifact parent : before.artifacts()) {
                    if (parent.children().contains(d.digest()) && deleted.contains(parent.digest())) {
                        assertThat(orderSeen).as(ctx + ": index " + parent.digest() + " deleted before child " + d.digest())
                                .contains(parent.digest());
                    }
                }
                orderSeen.add(d.digest());
                present.remove(d.digest());
            }
            Map<String, String> tagsAfter = new HashMap<>(tagToDigest);
            tagsAfter.values().removeIf(deleted::contains);

            // every kept candidate and every tag the janitor does not manage still resolves, to the same digest
            for (PlanItem kept : plan.kept()) {
                if (kept.tag() != null) {
                    assertThat(tagsAfter).as(ctx + ": kept " + kept).containsEntry(kept.tag(), kept.digest());
                } else {
                    assertThat(present).as(ctx + ": kept " + kept).contains(kept.digest());
                }
            }
            tagToDigest.forEach((tag, digest) -> {
                if (!ManagedTag.isManaged(tag)) {
                    assertThat(tagsAfter).as(ctx + ": unmanaged " + tag).containsEntry(tag, digest);
                }
            });
            // every remaining index still has all its children
            for (String digest : present) {
                Artifact a = byDigest.get(digest);
                for (String child : a.children()) {
                    if (byDigest.containsKey(child)) {
                        assertThat(present).as(ctx + ": child " + child + " of kept index " + a.tags()).contains(child);
                    }
                }
            }
            // what the next scan sees: on OCI an untagged manifest only as a child of a remaining index
            List<Artifact> remaining = before.artifacts().stream().filter(a -> present.contains(a.digest()))
                    .filter(a -> ghcr || !a.untagged() || reachable(a.digest(), before, present))
                    .toList();
            // a signature stays exactly while its image does (an orphan only within the grace period)
            Set<String> remainingChildren = new HashSet<>();
            Set<String> remainingAttested = new HashSet<>();
            Set<String> remainingDigests = new HashSet<>();
            for (Artifact a : remaining) {
                remainingDigests.add(a.digest());
                remainingChildren.addAll(a.children());
                if (a.attests() != null) {
                    remainingAttested.add(a.attests());
                }
            }
            tagToDigest.forEach((tag, digest) -> ManagedTag.parse(tag).filter(ManagedTag::isSignature).ifPresent(sig -> {
                String image = sig.signedDigest();
                boolean imageStays = remainingDigests.contains(image) || remainingChildren.contains(image) || remainingAttested.contains(image);
                if (imageStays) {
                    assertThat(tagsAfter).as(ctx + ": kept image " + image + " lost its signature").containsEntry(tag, digest);
                } else if (tagsAfter.containsKey(tag)) {
                    assertThat(plan.item(tag).reason()).as(ctx + ": signature " + tag + " outlives its image: " + plan.item(tag).detail())
                            .isEqualTo(Reason.WITHIN_GRACE_PERIOD);
                    assertThat(byDigest).as(ctx + ": only an orphan waits out the grace period").doesNotContainKey(image);
                }
            }));
            // a kept image keeps its attestation, and an attestation stays only with its image (unless nothing but
            // delete-untagged=false keeps it: then nothing needs it, and on OCI it is not seen again)
            for (Artifact a : before.artifacts()) {
                if (a.attests() != null && byDigest.containsKey(a.attests())) {
                    if (present.contains(a.attests())) {
                        assertThat(present).as(ctx + ": attestation " + a.digest() + " of kept image " + a.attests()).contains(a.digest());
                    } else if (present.contains(a.digest())) {
                        assertThat(plan.items()).as(ctx + ": attestation " + a.digest() + " kept without its image " + a.attests())
                                .filteredOn(i -> i.digest().equals(a.digest()))
                                .allSatisfy(i -> assertThat(i.reason()).isEqualTo(Reason.UNTAGGED_KEPT_BY_CONFIG));
                    }
                }
            }
            // nothing pushed within the grace period is deleted (a signature goes with its image, whatever its own time)
            Instant graceStart = NOW.minus(g.settings().gracePeriod());
            for (String digest : deleted) {
                if (plan.toDelete().stream().filter(i -> i.digest().equals(digest)).allMatch(i -> i.reason() == Reason.SIGNED_IMAGE_DELETED)) {
                    continue;
                }
                Instant pushed = byDigest.get(digest).pushedAt();
                if (pushed != null) {
                    assertThat(pushed).as(ctx + ": deleted within grace " + digest).isBeforeOrEqualTo(graceStart);
                }
            }
            // retention: the newest keep-hashes hashes and the recently used ones are kept whole
            Map<String, Instant> hashPush = new HashMap<>();
            plan.items().stream().filter(i -> i.tag() != null && i.pushedAt() != null)
                    .forEach(i -> ManagedTag.parse(i.tag()).filter(ManagedTag::isBuilder)
                            .ifPresent(m -> hashPush.merge(m.hash(), i.pushedAt(), (x, y) -> x.isAfter(y) ? x : y)));
            List<String> newest = hashPush.keySet().stream()
                    .sorted((x, y) -> hashPush.get(y).compareTo(hashPush.get(x)) != 0 ? hashPush.get(y).compareTo(hashPush.get(x)) : y.compareTo(x))
                    .limit(g.settings().keepHashes()).toList();
            for (PlanItem item : plan.items()) {
                ManagedTag.parse(item.tag() == null ? "-" : item.tag()).filter(ManagedTag::isBuilder).ifPresent(m -> {
                    Instant used = g.lastRequested().get(m.hash());
                    boolean recentlyUsed = used != null && !used.isBefore(NOW.minus(g.settings().keepUsed()));
                    if (newest.contains(m.hash()) || recentlyUsed) {
                        assertThat(item.action()).as(ctx + ": retained hash " + item).isEqualTo(Reason.Action.KEEP);
                    }
                });
            }

            // idempotent: planning again over what is left deletes nothing more
            Plan again = new RetentionPolicy(g.settings()).plan(new Inventory(before.image(), remaining, ghcr), g.lastRequested(), NOW);
            assertThat(again.deletions()).as(ctx + ": second plan " + again.toDelete()).isEmpty();
        }
        // the generator is not degenerate: every reason and the cap occur, signed and attested images both kept and deleted
        assertThat(seen.keySet()).as("reasons seen: " + seen).containsAll(java.util.EnumSet.complementOf(java.util.EnumSet.of(Reason.PUSH_TIME_UNKNOWN, Reason.SIGNED_IMAGE_UNLISTED)));
        assertThat(capExceeded).isGreaterThan(RUNS / 20);
    }

    /** On OCI an untagged manifest is only visible as a child of a remaining index. */
    private static boolean reachable(String digest, Inventory inv, Set<String> present) {
        return inv.artifacts().stream().anyMatch(a -> present.contains(a.digest()) && a.children().contains(digest));
    }
}
