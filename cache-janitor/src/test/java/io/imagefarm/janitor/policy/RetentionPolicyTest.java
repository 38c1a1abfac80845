package io.imagefarm.janitor.policy;

import static io.imagefarm.janitor.policy.Inv.digest;
import static io.imagefarm.janitor.policy.Inv.hash;
import static io.imagefarm.janitor.policy.Inv.signatureDigest;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.janitor.config.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pure policy: retention, cache rules, safety rules 1 to 4 (rule 5 is the executor's: JanitorTest), and
 * rule 6: a signature and its image stay or go together (an attestation and its image: rule 2).
 */
class RetentionPolicyTest {

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final PolicySettings SETTINGS = TestPolicies.defaults().keepHashes(2).keepUsed(Duration.ofDays(7)).cap(1000, 1.0).build();

    static Instant daysAgo(int days) {
        return NOW.minus(Duration.ofDays(days));
    }

    /** A hash with per-arch images and an index over them, pushed {@code days} ago. */
    static Inv hashWithIndex(Inv inv, int n, int days) {
        String amd = digest("amd" + n);
        String arm = digest("arm" + n);
        inv.manifest(amd, daysAgo(days), "builder-" + hash(n) + "-amd64");
        inv.manifest(arm, daysAgo(days), "builder-" + hash(n) + "-arm64");
        inv.index(digest("idx" + n), null, List.of(amd, arm), "builder-" + hash(n));
        return inv;
    }

    /** cosign's config timestamp: what the OCI backend reads as a signature manifest's push time. */
    static final Instant COSIGN_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * A hash as the signing pipeline leaves it: per-arch indexes {@code builder-<hash>-<arch>} each holding the
     * platform image and its attestation, the index {@code builder-<hash>} holding all four, and cosign
     * signatures of the index and of each platform image.
     */
    static Inv signedHash(Inv inv, int n, int days) {
        List<String> all = new java.util.ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            String image = digest(arch + n);
            String attestation = digest("att-" + arch + n);
            inv.manifest(image, daysAgo(days));
            inv.attestation(attestation, image);
            inv.index(digest("x" + arch + n), null, List.of(image, attestation), "builder-" + hash(n) + "-" + arch);
            inv.signature(image, COSIGN_ZERO_TIME);
            all.add(image);
            all.add(attestation);
        }
        inv.index(digest("idx" + n), null, all, "builder-" + hash(n));
        inv.signature(digest("idx" + n), COSIGN_ZERO_TIME);
        return inv;
    }

    static String sigTag(String image) {
        return ManagedTag.signatureTag(image);
    }

    static Plan plan(Inventory inventory, PolicySettings settings, Map<String, Instant> used) {
        return new RetentionPolicy(settings).plan(inventory, used, NOW);
    }

    @Test
    void keepsTheNewestHashesByPushTimeAndDeletesTheRestWithAllTheirTags() {
        Inv inv = new Inv();
        for (int n = 1; n <= 5; n++) {
            hashWithIndex(inv, n, 10 * n); // hash 1 newest
        }
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        for (int n : new int[] {1, 2}) {
            assertThat(plan.item("builder-" + hash(n)).reason()).isEqualTo(Reason.NEWEST_HASH);
            assertThat(plan.item("builder-" + hash(n) + "-amd64").reason()).isEqualTo(Reason.NEWEST_HASH);
        }
        for (int n : new int[] {3, 4, 5}) {
            assertThat(plan.item("builder-" + hash(n)).reason()).isEqualTo(Reason.STALE_HASH);
            assertThat(plan.item("builder-" + hash(n) + "-arm64").reason()).isEqualTo(Reason.STALE_HASH);
        }
        assertThat(plan.deletions()).hasSize(9);
        assertThat(plan.deletions().subList(0, 3)).allMatch(Deletion::index);
    }

    @Test
    void keepsAnOlderHashThatCiRequestedWithinKeepUsedDays() {
        Inv inv = new Inv();
        for (int n = 1; n <= 4; n++) {
            hashWithIndex(inv, n, 10 * n);
        }
        Plan plan = plan(inv.oci(), SETTINGS, Map.of(hash(3), daysAgo(6), hash(4), daysAgo(8)));

        assertThat(plan.item("builder-" + hash(3)).reason()).isEqualTo(Reason.RECENTLY_REQUESTED);
        assertThat(plan.item("builder-" + hash(3) + "-amd64").reason()).isEqualTo(Reason.RECENTLY_REQUESTED);
        assertThat(plan.item("builder-" + hash(4)).reason()).isEqualTo(Reason.STALE_HASH);
        assertThat(plan.item("builder-" + hash(4)).detail()).contains("last requested " + daysAgo(8));
    }

    @Test
    void tagsOutsideTheManagedPatternsAreNeverCandidates() {
        Inv inv = new Inv();
        inv.manifest(digest("a"), daysAgo(100), "latest", "builder-xyz", "builder-" + hash(1) + "-mips", "v1.0", "buildcache-foo");
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.items()).isEmpty();
        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.tagsScanned()).isEqualTo(5);
    }

    @Test
    void cacheOfConfiguredArchesIsKeptAndOfOtherArchesDeleted() {
        Inv inv = new Inv();
        inv.index(digest("c-amd"), null, List.of(), "buildcache-amd64");
        inv.index(digest("c-arm"), null, List.of(), "buildcache-arm64");
        inv.index(digest("c-s390"), null, List.of(), "buildcache-s390x");
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.item("buildcache-amd64").reason()).isEqualTo(Reason.CURRENT_CACHE);
        assertThat(plan.item("buildcache-arm64").reason()).isEqualTo(Reason.CURRENT_CACHE);
        assertThat(plan.item("buildcache-s390x").reason()).isEqualTo(Reason.ARCH_NOT_CONFIGURED);
    }

    @Test
    void legacySharedCacheGoesOnlyOncePerArchRefsExistAndOnlyIfConfigured() {
        Inv only = new Inv().manifest(digest("legacy"), daysAgo(30), "buildcache");
        assertThat(plan(only.oci(), SETTINGS, Map.of()).item("buildcache").reason()).isEqualTo(Reason.LEGACY_CACHE_ONLY_CACHE);

        Inv both = new Inv().manifest(digest("legacy"), daysAgo(30), "buildcache")
                .manifest(digest("c-amd"), daysAgo(30), "buildcache-amd64");
        assertThat(plan(both.oci(), SETTINGS, Map.of()).item("buildcache").reason()).isEqualTo(Reason.LEGACY_CACHE_SUPERSEDED);
        assertThat(plan(both.oci(), TestPolicies.from(SETTINGS).deleteLegacyCache(false).build(), Map.of()).item("buildcache").reason())
                .isEqualTo(Reason.LEGACY_CACHE_KEPT_BY_CONFIG);
    }

    @Test
    void untaggedVersionsOlderThanTheGracePeriodAreDeletedOnGhcr() {
        Inv inv = new Inv().manifest(digest("old"), daysAgo(3)).manifest(digest("new"), NOW.minus(Duration.ofHours(5)));
        Plan plan = plan(inv.ghcr(), SETTINGS, Map.of());

        assertThat(plan.items()).extracting(PlanItem::digest, PlanItem::reason).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(digest("old"), Reason.UNTAGGED_SUPERSEDED),
                org.assertj.core.groups.Tuple.tuple(digest("new"), Reason.WITHIN_GRACE_PERIOD));
        assertThat(plan.deletions()).singleElement().satisfies(d -> {
            assertThat(d.digest()).isEqualTo(digest("old"));
            assertThat(d.versionId()).isNotNull();
        });
        assertThat(plan(inv.ghcr(), TestPolicies.from(SETTINGS).deleteUntagged(false).build(), Map.of()).deletions()).isEmpty();
    }

    @Test
    void safetyRule1_aDigestThatAKeptTagAlsoPointsAtIsNeverDeleted() {
        Inv inv = new Inv();
        inv.manifest(digest("amd1"), daysAgo(10), "builder-" + hash(1) + "-amd64");
        inv.index(digest("idx1"), null, List.of(digest("amd1"), digest("arm3")), "builder-" + hash(1));
        hashWithIndex(inv, 2, 20);
        // Stale hash 3; kept hash 1's arm64 tag points at hash 3's byte-identical arm64 image.
        inv.manifest(digest("amd3"), daysAgo(40), "builder-" + hash(3) + "-amd64");
        inv.manifest(digest("arm3"), daysAgo(40), "builder-" + hash(3) + "-arm64", "builder-" + hash(1) + "-arm64");
        // Stale hash 4's image also carries a tag the janitor does not manage.
        inv.manifest(digest("arm4"), daysAgo(50), "builder-" + hash(4) + "-arm64", "release-2025");
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.item("builder-" + hash(1) + "-arm64").reason()).isEqualTo(Reason.NEWEST_HASH);
        assertThat(plan.item("builder-" + hash(3) + "-arm64").reason()).isEqualTo(Reason.SHARES_DIGEST_WITH_KEPT_TAG);
        assertThat(plan.item("builder-" + hash(3) + "-arm64").detail()).contains("builder-" + hash(1) + "-arm64");
        assertThat(plan.item("builder-" + hash(4) + "-arm64").reason()).isEqualTo(Reason.SHARES_DIGEST_WITH_KEPT_TAG);
        assertThat(plan.item("builder-" + hash(4) + "-arm64").detail()).contains("release-2025");
        assertThat(plan.deletions()).extracting(Deletion::digest)
                .doesNotContain(digest("arm3"), digest("arm4"))
                .contains(digest("amd3"));
    }

    @Test
    void safetyRule2_aChildOfAKeptIndexIsNeverDeletedEvenWhenItsOwnTagIsStale() {
        Inv inv = new Inv();
        hashWithIndex(inv, 1, 10);
        hashWithIndex(inv, 2, 20);
        // Stale hash 3's amd64 image is referenced by an index that a non-managed tag keeps.
        inv.manifest(digest("amd3"), daysAgo(50), "builder-" + hash(3) + "-amd64");
        inv.manifest(digest("arm3"), daysAgo(50), "builder-" + hash(3) + "-arm64");
        inv.index(digest("release"), null, List.of(digest("amd3"), digest("attest3")), "stable");
        inv.manifest(digest("attest3"), null);
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.item("builder-" + hash(3) + "-amd64").reason()).isEqualTo(Reason.CHILD_OF_KEPT_INDEX);
        assertThat(plan.item("builder-" + hash(3) + "-amd64").detail()).contains("stable");
        assertThat(plan.item("builder-" + hash(3) + "-arm64").reason()).isEqualTo(Reason.STALE_HASH);
        assertThat(plan.deletions()).extracting(Deletion::digest).doesNotContain(digest("amd3"), digest("attest3"));
    }

    @Test
    void safetyRule2_untaggedGhcrChildrenOfAKeptIndexAreKeptAndOrphansOfADeletedIndexGo() {
        Inv inv = new Inv();
        inv.manifest(digest("c1"), daysAgo(30)).manifest(digest("c2"), daysAgo(30));
        inv.index(digest("i1"), daysAgo(30), List.of(digest("c1"), digest("c2")), "builder-" + hash(1));
        inv.manifest(digest("c9"), daysAgo(90));
        inv.index(digest("i9"), daysAgo(90), List.of(digest("c9"), digest("c2")), "builder-" + hash(9));
        Plan plan = plan(inv.ghcr(), TestPolicies.from(SETTINGS).keepHashes(1).build(), Map.of());

        assertThat(plan.items()).filteredOn(i -> i.tag() == null && !i.digest().equals(digest("c9")))
                .allSatisfy(i -> assertThat(i.reason()).isEqualTo(Reason.CHILD_OF_KEPT_INDEX));
        assertThat(plan.deletions()).extracting(Deletion::digest).containsExactly(digest("i9"), digest("c9"));
        assertThat(plan.deletions().get(1).reason()).isEqualTo(Reason.ORPHANED_CHILD);
    }

    @Test
    void safetyRule3_nothingPushedWithinTheGracePeriodIsDeleted() {
        Inv inv = new Inv();
        hashWithIndex(inv, 1, 10);
        hashWithIndex(inv, 2, 20);
        // An older hash, by push time the third, but one arch was just (re)pushed.
        inv.manifest(digest("amd3"), daysAgo(30), "builder-" + hash(3) + "-amd64");
        inv.manifest(digest("arm3"), NOW.minus(Duration.ofHours(1)), "builder-" + hash(3) + "-arm64");
        inv.manifest(digest("c-s390"), NOW.minus(Duration.ofHours(1)), "buildcache-s390x");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of());

        assertThat(plan.item("builder-" + hash(3) + "-arm64").reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD);
        assertThat(plan.item("buildcache-s390x").reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD);
        assertThat(plan.item("builder-" + hash(3) + "-amd64").reason()).isEqualTo(Reason.STALE_HASH);
        assertThat(plan.deletions()).extracting(Deletion::digest).doesNotContain(digest("arm3"), digest("c-s390"));
    }

    @Test
    void safetyRule4_aPlanOverTheCountOrFractionCapSaysSo() {
        Inv inv = new Inv();
        for (int n = 1; n <= 10; n++) {
            hashWithIndex(inv, n, 10 * n);
        }
        Plan byFraction = plan(inv.oci(), TestPolicies.from(SETTINGS).cap(1000, 0.5).build(), Map.of());
        assertThat(byFraction.cap().exceeded()).isTrue();
        assertThat(byFraction.cap().tagsToDelete()).isEqualTo(24);
        assertThat(byFraction.cap().managedTags()).isEqualTo(30);
        assertThat(byFraction.cap().message()).contains("24 of 30").contains("force");

        Plan byCount = plan(inv.oci(), TestPolicies.from(SETTINGS).cap(23, 1.0).build(), Map.of());
        assertThat(byCount.cap().exceeded()).isTrue();

        Plan within = plan(inv.oci(), TestPolicies.from(SETTINGS).cap(24, 0.8).build(), Map.of());
        assertThat(within.cap().exceeded()).isFalse();
        assertThat(within.cap().message()).isNull();
    }

    @Test
    void aHashWithoutAnyPushTimeIsKept() {
        Inv inv = new Inv().manifest(digest("x"), null, "builder-" + hash(7) + "-amd64");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of());
        assertThat(plan.item("builder-" + hash(7) + "-amd64").reason()).isEqualTo(Reason.PUSH_TIME_UNKNOWN);
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void bytesReclaimableCountsUniqueBlobsThatNoRemainingManifestReferences() {
        Inv inv = new Inv();
        inv.manifestWithBlobs(digest("keep"), daysAgo(10), Map.of("shared", 1000L, "k", 10L), "builder-" + hash(1) + "-amd64");
        inv.manifestWithBlobs(digest("old1"), daysAgo(50), Map.of("shared", 1000L, "o", 7L, "base", 500L), "builder-" + hash(2) + "-amd64");
        inv.manifestWithBlobs(digest("old2"), daysAgo(60), Map.of("base", 500L, "p", 3L), "builder-" + hash(3) + "-amd64");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(1).build(), Map.of());

        assertThat(plan.deletions()).hasSize(2);
        assertThat(plan.bytesReclaimable()).isEqualTo(7 + 500 + 3);
    }

    @Test
    void planListsEveryCandidateWithAReasonAndOnlyDeletesDigestsWhoseEveryTagGoes() {
        Inv inv = new Inv();
        hashWithIndex(inv, 1, 10);
        inv.manifest(digest("both"), daysAgo(60), "builder-" + hash(5) + "-amd64", "builder-" + hash(6) + "-amd64");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(1).keepUsed(Duration.ofDays(7)).build(), Map.of(hash(6), daysAgo(1)));

        assertThat(plan.items()).allSatisfy(i -> {
            assertThat(i.reason()).isNotNull();
            assertThat(i.detail()).isNotBlank();
        });
        // hash 5 is stale, but its only image is also hash 6's, which was just used.
        assertThat(plan.item("builder-" + hash(5) + "-amd64").reason()).isEqualTo(Reason.SHARES_DIGEST_WITH_KEPT_TAG);
        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.keptByReason()).containsEntry(Reason.NEWEST_HASH, 3).containsEntry(Reason.RECENTLY_REQUESTED, 1);
    }

    @Test
    void unconfiguredArchSetComesFromSettings() {
        Inv inv = new Inv().manifest(digest("c-arm"), daysAgo(10), "buildcache-arm64");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).arches(Set.of("amd64")).build(), Map.of());
        assertThat(plan.item("buildcache-arm64").reason()).isEqualTo(Reason.ARCH_NOT_CONFIGURED);
    }

    // ------------------------------------------------------------------ provenance: per-arch indexes and attestations

    /** A hash as workers with provenance push it: per-arch indexes, and the hash's index over images and attestations. */
    static Inv hashWithProvenance(Inv inv, int n, int days) {
        inv.provenance("amd" + n, daysAgo(days), "builder-" + hash(n) + "-amd64");
        inv.provenance("arm" + n, daysAgo(days), "builder-" + hash(n) + "-arm64");
        return inv.index(digest("idx" + n), null, List.of(digest("amd" + n), digest("amd" + n + "-att"),
                digest("arm" + n), digest("arm" + n + "-att")), "builder-" + hash(n));
    }

    @Test
    void aKeptProvenanceHashKeepsItsPerArchIndexesImagesAndAttestationsAndAStaleOneGoesWhole() {
        Inv inv = new Inv();
        hashWithProvenance(inv, 1, 10);
        hashWithProvenance(inv, 2, 20);
        hashWithProvenance(inv, 3, 30);
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        for (int n : new int[] {1, 2}) {
            assertThat(plan.item("builder-" + hash(n) + "-amd64").reason()).isEqualTo(Reason.NEWEST_HASH);
            Set<String> untagged = Set.of(digest("amd" + n), digest("amd" + n + "-att"), digest("arm" + n), digest("arm" + n + "-att"));
            assertThat(plan.items()).filteredOn(i -> untagged.contains(i.digest())).hasSize(4)
                    .allSatisfy(i -> assertThat(i.action()).isEqualTo(Reason.Action.KEEP));
            assertThat(plan.deletions()).extracting(Deletion::digest).doesNotContain(digest("amd" + n), digest("amd" + n + "-att"),
                    digest("arm" + n), digest("arm" + n + "-att"));
        }
        // hash 3 went whole: its three indexes first, then images and attestations as orphans
        assertThat(plan.deletions()).extracting(Deletion::digest).containsExactlyInAnyOrder(digest("idx3"), digest("amd3-idx"),
                digest("arm3-idx"), digest("amd3"), digest("amd3-att"), digest("arm3"), digest("arm3-att"));
        assertThat(plan.deletions().subList(0, 3)).allMatch(Deletion::index);
        assertThat(plan.deletions().subList(3, 7)).allSatisfy(d -> assertThat(d.reason()).isEqualTo(Reason.ORPHANED_CHILD));
        // an attestation's push time is its image's (through its indexes): never unknown, never within grace by default
        assertThat(plan.items()).filteredOn(i -> i.digest().equals(digest("amd3-att"))).singleElement()
                .satisfies(i -> assertThat(i.pushedAt()).isEqualTo(daysAgo(30)));
    }

    @Test
    void anImageThatAnotherKeptIndexPinsKeepsItsAttestationThoughItsHashIsStale() {
        Inv inv = new Inv();
        hashWithProvenance(inv, 1, 10);
        hashWithProvenance(inv, 2, 20);
        hashWithProvenance(inv, 3, 30);
        inv.index(digest("release"), null, List.of(digest("amd3")), "stable"); // pins the image only
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.items()).filteredOn(i -> i.digest().equals(digest("amd3-att"))).singleElement().satisfies(i -> {
            assertThat(i.reason()).isEqualTo(Reason.ATTESTATION_KEPT_WITH_IMAGE);
            assertThat(i.detail()).contains("attestation of kept image " + digest("amd3"));
        });
        assertThat(plan.deletions()).extracting(Deletion::digest).doesNotContain(digest("amd3"), digest("amd3-att"))
                .contains(digest("amd3-idx"), digest("arm3"), digest("arm3-att"));
    }

    @Test
    void anAttestationThatIsKeptKeepsTheImageItAttestsSoItIsNeverLeftWithoutIt() {
        Inv inv = new Inv();
        hashWithProvenance(inv, 1, 10);
        hashWithProvenance(inv, 2, 20);
        hashWithProvenance(inv, 3, 30);
        inv.tag(digest("arm3-att"), "audit-2026"); // someone keeps the provenance by a tag of their own
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.items()).filteredOn(i -> i.digest().equals(digest("arm3")) && i.tag() == null).singleElement()
                .satisfies(i -> {
                    assertThat(i.reason()).isEqualTo(Reason.ATTESTATION_KEPT_WITH_IMAGE);
                    assertThat(i.detail()).contains("image attested by kept attestation " + digest("arm3-att"));
                });
        assertThat(plan.deletions()).extracting(Deletion::digest).doesNotContain(digest("arm3"), digest("arm3-att"))
                .contains(digest("idx3"), digest("arm3-idx"), digest("amd3"), digest("amd3-att"));
    }

    @Test
    void ghcrUntaggedAttestationsOfAKeptHashAreKeptAndThoseOfAStaleHashGo() {
        Inv inv = new Inv();
        hashWithProvenance(inv, 1, 10);
        hashWithProvenance(inv, 9, 90);
        Plan plan = plan(inv.ghcr(), TestPolicies.from(SETTINGS).keepHashes(1).build(), Map.of());

        assertThat(plan.deletions()).extracting(Deletion::digest).containsExactlyInAnyOrder(digest("idx9"), digest("amd9-idx"),
                digest("arm9-idx"), digest("amd9"), digest("amd9-att"), digest("arm9"), digest("arm9-att"));
        assertThat(plan.items()).filteredOn(i -> i.digest().equals(digest("amd1-att"))).singleElement()
                .satisfies(i -> assertThat(i.action()).isEqualTo(Reason.Action.KEEP));
    }

    // ------------------------------------------------------------------------------------- rule 6: signatures

    @Test
    void safetyRule6_theSignaturesOfAKeptHashAreKeptWithItsIndexAndPlatformImages() {
        Inv inv = signedHash(new Inv(), 1, 10);
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        for (String image : List.of(digest("idx1"), digest("amd641"), digest("arm641"))) {
            assertThat(plan.item(sigTag(image)).reason()).as(image).isEqualTo(Reason.SIGNATURE_OF_KEPT_IMAGE);
        }
        assertThat(plan.item(sigTag(digest("idx1"))).detail()).contains("builder-" + hash(1));
        assertThat(plan.item(sigTag(digest("amd641"))).detail()).contains("child of index");
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void safetyRule6_aSignatureIsDeletedWithItsStaleImageAndOnlyAfterIt() {
        Inv inv = signedHash(new Inv(), 1, 10);
        signedHash(inv, 2, 50);
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(1).build(), Map.of());

        List<String> order = plan.deletions().stream().map(Deletion::digest).toList();
        for (String image : List.of(digest("idx2"), digest("amd642"), digest("arm642"))) {
            assertThat(plan.item(sigTag(image)).reason()).as(image).isEqualTo(Reason.SIGNED_IMAGE_DELETED);
            Deletion sig = plan.deletions().stream().filter(d -> d.digest().equals(signatureDigest(image))).findFirst().orElseThrow();
            assertThat(sig.tags()).containsExactly(sigTag(image));
            assertThat(sig.after()).containsExactly(image);
            assertThat(order.indexOf(signatureDigest(image))).as("signature after " + image).isGreaterThan(order.indexOf(image));
        }
        assertThat(plan.deletions()).extracting(Deletion::digest).doesNotContain(signatureDigest(digest("idx1")),
                signatureDigest(digest("amd641")), signatureDigest(digest("arm641")));
    }

    @Test
    void safetyRule6_aSignatureFollowsItsImageNotItsOwnPushTime() {
        // A stale image re-signed within the grace period (ghcr.io: the version's created_at) goes with its image;
        // an image within the grace period keeps its signature, however old the signature looks.
        Inv inv = new Inv();
        inv.manifest(digest("old"), daysAgo(60), "builder-" + hash(1) + "-amd64");
        inv.signature(digest("old"), NOW.minus(Duration.ofHours(1)));
        inv.manifest(digest("fresh"), NOW.minus(Duration.ofHours(2)), "builder-" + hash(2) + "-amd64");
        inv.signature(digest("fresh"), daysAgo(90));
        Plan plan = plan(inv.ghcr(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of());

        assertThat(plan.item(sigTag(digest("old"))).reason()).isEqualTo(Reason.SIGNED_IMAGE_DELETED);
        assertThat(plan.item("builder-" + hash(2) + "-amd64").reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD);
        assertThat(plan.item(sigTag(digest("fresh"))).reason()).isEqualTo(Reason.SIGNATURE_OF_KEPT_IMAGE);
        assertThat(plan.deletions()).extracting(Deletion::digest)
                .containsExactly(digest("old"), signatureDigest(digest("old")));
        assertThat(plan.deletions().get(1).versionId()).as("ghcr deletes the signature's own version").isNotNull();
    }

    @Test
    void safetyRule6_theSignatureOfAStaleImageThatAKeptIndexHoldsIsKept() {
        Inv inv = new Inv();
        hashWithIndex(inv, 1, 10);
        inv.manifest(digest("amd3"), daysAgo(50), "builder-" + hash(3) + "-amd64");
        inv.signature(digest("amd3"), COSIGN_ZERO_TIME);
        inv.index(digest("release"), null, List.of(digest("amd3")), "stable");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(1).build(), Map.of());

        assertThat(plan.item("builder-" + hash(3) + "-amd64").reason()).isEqualTo(Reason.CHILD_OF_KEPT_INDEX);
        assertThat(plan.item(sigTag(digest("amd3"))).reason()).isEqualTo(Reason.SIGNATURE_OF_KEPT_IMAGE);
        assertThat(plan.item(sigTag(digest("amd3"))).detail()).contains("stable");
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void safetyRule6_anOrphanedSignatureIsDeletedEvenWithoutAPushTime() {
        Inv inv = new Inv();
        hashWithIndex(inv, 1, 10);
        String gone = digest("deleted-long-ago");
        inv.signature(gone, COSIGN_ZERO_TIME);
        inv.signature(digest("also-gone"), null);
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.item(sigTag(gone)).reason()).isEqualTo(Reason.ORPHANED_SIGNATURE);
        assertThat(plan.item(sigTag(gone)).detail()).contains(gone);
        assertThat(plan.item(sigTag(digest("also-gone"))).reason()).isEqualTo(Reason.ORPHANED_SIGNATURE);
        assertThat(plan.deletions()).extracting(Deletion::digest)
                .containsExactlyInAnyOrder(signatureDigest(gone), signatureDigest(digest("also-gone")));
        assertThat(plan.deletions()).allSatisfy(d -> assertThat(d.after()).isEmpty());
    }

    @Test
    void safetyRule6_aSignatureWhoseImageTheTagListingMissedButTheRegistryHasIsNoOrphan() {
        // OCI: the signer pushed a new index and then its signature while the janitor was listing tags; the
        // listing passed builder-<hash> before the push but reached the .sig tag, and a HEAD by digest found the index
        Inv inv = new Inv();
        hashWithIndex(inv, 1, 10);
        inv.signature(digest("brand-new-index"), COSIGN_ZERO_TIME);
        inv.signature(digest("long-gone"), COSIGN_ZERO_TIME);
        Plan plan = plan(inv.oci(Set.of(digest("brand-new-index"))), SETTINGS, Map.of());

        assertThat(plan.item(sigTag(digest("brand-new-index"))).reason()).isEqualTo(Reason.SIGNED_IMAGE_UNLISTED);
        assertThat(plan.item(sigTag(digest("long-gone"))).reason()).isEqualTo(Reason.ORPHANED_SIGNATURE);
        assertThat(plan.deletions()).extracting(Deletion::digest).containsExactly(signatureDigest(digest("long-gone")));
    }

    @Test
    void safetyRule6_anOrphanedSignaturePushedWithinTheGracePeriodIsKept() {
        // ghcr.io's created_at is real: a signature whose image a scan missed by moments is not taken for an orphan.
        Inv inv = new Inv().signature(digest("just-pushed"), NOW.minus(Duration.ofMinutes(5)))
                .signature(digest("long-gone"), daysAgo(30));
        Plan plan = plan(inv.ghcr(), SETTINGS, Map.of());

        assertThat(plan.item(sigTag(digest("just-pushed"))).reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD);
        assertThat(plan.item(sigTag(digest("long-gone"))).reason()).isEqualTo(Reason.ORPHANED_SIGNATURE);
        assertThat(plan.deletions()).extracting(Deletion::digest).containsExactly(signatureDigest(digest("long-gone")));
    }

    @Test
    void safetyRule6_aSignatureManifestThatAlsoCarriesAnUnmanagedTagIsNeverDeleted() {
        Inv inv = new Inv().signature(digest("gone"), COSIGN_ZERO_TIME, "keep-this-signature");
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.item(sigTag(digest("gone"))).reason()).isEqualTo(Reason.SHARES_DIGEST_WITH_KEPT_TAG);
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void tagsThatOnlyLookLikeSignaturesAreNeverCandidates() {
        String hex = Inv.sha256("x").substring("sha256:".length());
        assertThat(hex).matches(".*[a-f].*");
        Inv inv = new Inv().manifest(digest("a"), daysAgo(100), "sha256-" + hex.toUpperCase(java.util.Locale.ROOT) + ".sig",
                "sha256-" + hex + ".att", "sha256-" + hex + ".sbom", "sha256-" + hex.substring(1) + ".sig", "sha512-" + hex + ".sig",
                "sha256-" + hex + ".sig.bak");
        Plan plan = plan(inv.oci(), SETTINGS, Map.of());

        assertThat(plan.items()).isEmpty();
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void theCapCountsBuilderAndCacheTagsNotTheSignaturesThatFollowThem() {
        Inv inv = new Inv();
        for (int n = 1; n <= 4; n++) {
            signedHash(inv, n, 10 * n);
        }
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(2).cap(6, 1.0).build(), Map.of());

        // hashes 3 and 4: 3 builder tags each; their 6 signature tags are deleted too but not counted
        assertThat(plan.toDelete()).filteredOn(i -> i.tag() != null && ManagedTag.isSignature(i.tag())).hasSize(6);
        assertThat(plan.cap().tagsToDelete()).isEqualTo(6);
        assertThat(plan.cap().managedTags()).isEqualTo(12);
        assertThat(plan.cap().exceeded()).isFalse();
    }

    // ------------------------------------------------------------------------------------- rule 2: attestations, and the deletion order

    @Test
    void deletionOrder_aStaleSignedHashGoesIndexesFirstThenAttestationsThenImagesThenSignatures() {
        Inv inv = signedHash(new Inv(), 2, 50);
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of());

        List<String> order = plan.deletions().stream().map(Deletion::digest).toList();
        assertThat(order).hasSize(3 + 2 + 2 + 3);
        assertThat(plan.deletions().subList(0, 3)).allMatch(Deletion::index);
        for (String arch : List.of("amd64", "arm64")) {
            String image = digest(arch + 2);
            String attestation = digest("att-" + arch + 2);
            assertThat(plan.deletions().get(order.indexOf(attestation)).reason()).isEqualTo(Reason.ORPHANED_CHILD);
            assertThat(plan.deletions().get(order.indexOf(attestation)).after()).containsExactlyInAnyOrder(digest("x" + arch + 2), digest("idx2"));
            assertThat(plan.deletions().get(order.indexOf(image)).after())
                    .containsExactlyInAnyOrder(digest("x" + arch + 2), digest("idx2"), attestation);
            assertThat(order.indexOf(attestation)).isLessThan(order.indexOf(image));
            assertThat(order.indexOf(image)).isLessThan(order.indexOf(signatureDigest(image)));
        }
        assertThat(plan.deletions().subList(7, 10)).allSatisfy(d -> assertThat(d.tags()).allMatch(ManagedTag::isSignature));
    }

    @Test
    void safetyRule2_anAttestationStaysWhileItsImageIsKeptByAnotherTag() {
        Inv inv = signedHash(new Inv(), 2, 50);
        // someone tagged the amd64 platform image itself
        inv.tag(digest("amd642"), "release-2");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of());

        assertThat(plan.items()).filteredOn(i -> digest("att-amd642").equals(i.digest())).singleElement()
                .satisfies(i -> {
                    assertThat(i.reason()).isEqualTo(Reason.ATTESTATION_KEPT_WITH_IMAGE);
                    assertThat(i.detail()).contains("release-2");
                });
        assertThat(plan.item(sigTag(digest("amd642"))).reason()).isEqualTo(Reason.SIGNATURE_OF_KEPT_IMAGE);
        assertThat(plan.deletions()).extracting(Deletion::digest)
                .doesNotContain(digest("amd642"), digest("att-amd642"), signatureDigest(digest("amd642")))
                .contains(digest("idx2"), digest("xamd642"), digest("arm642"), digest("att-arm642"), signatureDigest(digest("idx2")));
    }

    @Test
    void safetyRule2_anImageStaysWhileItsAttestationIsKept() {
        Inv inv = signedHash(new Inv(), 2, 50);
        // an index the janitor does not manage holds the arm64 attestation, but not its image
        inv.index(digest("audit"), null, List.of(digest("att-arm642")), "audit-trail");
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of());

        assertThat(plan.items()).filteredOn(i -> digest("arm642").equals(i.digest())).singleElement()
                .satisfies(i -> {
                    assertThat(i.reason()).isEqualTo(Reason.ATTESTATION_KEPT_WITH_IMAGE);
                    assertThat(i.detail()).contains(digest("att-arm642")).contains("audit-trail");
                });
        assertThat(plan.item(sigTag(digest("arm642"))).reason()).isEqualTo(Reason.SIGNATURE_OF_KEPT_IMAGE);
        assertThat(plan.deletions()).extracting(Deletion::digest)
                .doesNotContain(digest("arm642"), digest("att-arm642"), signatureDigest(digest("arm642")))
                .contains(digest("amd642"), digest("att-amd642"));
    }

    @Test
    void safetyRule2_aKeptIndexKeepsItsAttestationChildrenWhenAnotherIndexOverThemGoes() {
        Inv inv = signedHash(new Inv(), 2, 50);
        Plan plan = plan(inv.oci(), TestPolicies.from(SETTINGS).keepHashes(0).build(), Map.of(hash(2), daysAgo(1)));

        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.items()).filteredOn(i -> i.tag() == null).isNotEmpty()
                .allSatisfy(i -> assertThat(i.reason()).isEqualTo(Reason.CHILD_OF_KEPT_INDEX));
    }
}
