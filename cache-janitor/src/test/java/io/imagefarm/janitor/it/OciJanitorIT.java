package io.imagefarm.janitor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.backend.JanitorBackend;
import io.imagefarm.janitor.backend.OciBackend;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.config.TestPolicies;
import io.imagefarm.janitor.job.Janitor;
import io.imagefarm.janitor.job.RunRequest;
import io.imagefarm.janitor.messaging.StatusTopicReader;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.ManagedTag;
import io.imagefarm.janitor.policy.PlanItem;
import io.imagefarm.janitor.policy.PolicySettings;
import io.imagefarm.janitor.policy.Reason;
import io.imagefarm.janitor.report.DeletionOutcome;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.JanitorReport.Outcome;
import io.imagefarm.janitor.report.RepositoryReport;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.config.RegistryBeans;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.RegistrySeeder.Pushed;
import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The janitor against the real CNCF distribution registry, filled by the test: hundreds of builder tags
 * across hashes and arches, indexes with children, shared digests, per-arch cache tags; last use from
 * the real status topic on the in-process Kafka broker.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = JanitorTestResources.class, restrictToAnnotatedClass = false)
class OciJanitorIT {

    static final PolicySettings POLICY = new PolicySettings(5, Duration.ofDays(7), Duration.ofDays(2), Set.of("amd64", "arm64"),
            true, true, 1000, 0.95);

    final RegistryClient client = new RegistryClient(RegistryBeans.settings(Map.of("imagefarm.registry.tags-page-size", "50")));

    @AfterEach
    void closeClient() {
        client.close();
    }

    static String hash(int n) {
        return String.format("%016x", 0xabc000L + n);
    }

    static String tag(int n) {
        return "builder-" + hash(n);
    }

    Janitor janitor() {
        return new Janitor(kind -> new OciBackend(client), new StatusTopicReader(Seeding.kafkaConfig(), Duration.ofSeconds(30)),
                Clock.systemUTC(), statuses -> { });
    }

    static JanitorReport run(Janitor janitor, RepositoryTarget target, boolean dryRun, boolean force) {
        return janitor.run(new RunRequest(JanitorReport.Trigger.API, dryRun, force, Set.of()), List.of(target), () -> true);
    }

    static RepositoryTarget target(LocalRegistry registry, String repo, PolicySettings policy) {
        return new RepositoryTarget("r", Repository.of(registry.host(), repo), RepositoryTarget.BackendKind.OCI, policy, RepositoryTarget.OwnerType.ORG);
    }

    /** One hash: amd64 and arm64 images and the index over them. */
    static List<Pushed> pushHash(RegistrySeeder seeder, String repo, int n, Instant created) {
        Pushed amd = Seeding.image(seeder, repo, "amd64", created, tag(n) + "-amd64", List.of(tag(n) + "-amd64"));
        Pushed arm = Seeding.image(seeder, repo, "arm64", created, tag(n) + "-arm64", List.of(tag(n) + "-arm64"));
        Pushed index = Seeding.index(seeder, repo, List.of(amd, arm), List.of(tag(n)));
        return List.of(amd, arm, index);
    }

    @Test
    void dryRunThenApplyOnAFullRegistryDeletesExactlyTheStaleTagsAndBreaksNothing() {
        LocalRegistry registry = SharedParts.registry();
        RegistrySeeder seeder = new RegistrySeeder(registry);
        String repo = "full/" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        Map<Integer, List<Pushed>> hashes = new HashMap<>();

        // 100 old hashes, 4 to 103 days old: stale unless used or protected
        for (int n = 1; n <= 100; n++) {
            Instant created = now.minus(Duration.ofDays(3 + n));
            if (n == 95) {
                // hash 95's arm64 image is byte-identical to hash 20's (a shared digest)
                Pushed amd = Seeding.image(seeder, repo, "amd64", created, tag(n) + "-amd64", List.of(tag(n) + "-amd64"));
                Pushed arm = Seeding.image(seeder, repo, "arm64", now.minus(Duration.ofDays(23)), tag(20) + "-arm64", List.of(tag(n) + "-arm64"));
                hashes.put(n, List.of(amd, arm, Seeding.index(seeder, repo, List.of(amd, arm), List.of(tag(n)))));
            } else {
                hashes.put(n, pushHash(seeder, repo, n, created));
            }
        }
        // 7 hashes pushed within the last 7 hours: 5 newest, and 2 more inside the grace period
        for (int n = 101; n <= 107; n++) {
            hashes.put(n, pushHash(seeder, repo, n, now.minus(Duration.ofHours(n - 100))));
        }
        // tags the janitor does not manage
        Seeding.image(seeder, repo, "amd64", now.minus(Duration.ofDays(73)), tag(70) + "-amd64", List.of("release-1.0"));
        Seeding.index(seeder, repo, List.of(hashes.get(50).get(1)), List.of("stable"));
        Seeding.index(seeder, repo, hashes.get(101).subList(0, 2), List.of("latest"));
        // build cache
        Seeding.image(seeder, repo, "amd64", now.minus(Duration.ofDays(10)), "cache-amd64", List.of("buildcache-amd64"));
        Seeding.image(seeder, repo, "arm64", now.minus(Duration.ofDays(10)), "cache-arm64", List.of("buildcache-arm64"));
        Seeding.image(seeder, repo, "s390x", now.minus(Duration.ofDays(10)), "cache-s390x", List.of("buildcache-s390x"));
        Seeding.image(seeder, repo, "riscv64", now.minus(Duration.ofHours(1)), "cache-riscv64", List.of("buildcache-riscv64"));
        Seeding.image(seeder, repo, "amd64", now.minus(Duration.ofDays(20)), "cache-legacy", List.of("buildcache"));
        // last use, from the status topic
        String image = registry.host() + "/" + repo;
        Seeding.requested(image, Map.of(hash(20), now.minus(Duration.ofDays(1)), hash(40), now.minus(Duration.ofDays(3)),
                hash(60), now.minus(Duration.ofDays(6)), hash(80), now.minus(Duration.ofDays(30))));

        RepositoryTarget target = target(registry, repo, POLICY);
        Janitor janitor = janitor();

        // ---- dry run: the plan, nothing deleted
        JanitorReport dry = run(janitor, target, true, false);
        RepositoryReport planned = dry.repository("r");
        assertThat(dry.outcome()).isEqualTo(Outcome.DRY_RUN);
        assertThat(planned.tagsScanned()).isEqualTo(107 * 3 + 3 + 5);
        assertThat(planned.managedTags()).isEqualTo(107 * 3 + 5);
        assertThat(planned.keptByReason()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Reason.NEWEST_HASH, 15, Reason.RECENTLY_REQUESTED, 9, Reason.WITHIN_GRACE_PERIOD, 7,
                Reason.SHARES_DIGEST_WITH_KEPT_TAG, 2, Reason.CHILD_OF_KEPT_INDEX, 1, Reason.CURRENT_CACHE, 2));
        assertThat(planned.plannedDeletions()).isEqualTo(97 + 97 * 2 - 3 + 2);
        assertThat(planned.bytesReclaimable()).isPositive();
        assertThat(planned.notes()).contains(OciBackend.GC_NOTE);
        Map<String, PlanItem> byTag = new HashMap<>();
        planned.plan().forEach(i -> byTag.put(i.tag(), i));
        assertThat(byTag.get(tag(3)).reason()).isEqualTo(Reason.STALE_HASH);
        assertThat(byTag.get(tag(105) + "-arm64").reason()).isEqualTo(Reason.NEWEST_HASH);
        assertThat(byTag.get(tag(107) + "-amd64").reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD);
        assertThat(byTag.get(tag(40) + "-amd64").reason()).isEqualTo(Reason.RECENTLY_REQUESTED);
        assertThat(byTag.get(tag(80)).reason()).isEqualTo(Reason.STALE_HASH);
        assertThat(byTag.get(tag(80)).detail()).contains("last requested");
        assertThat(byTag.get(tag(95) + "-arm64").reason()).isEqualTo(Reason.SHARES_DIGEST_WITH_KEPT_TAG);
        assertThat(byTag.get(tag(95) + "-arm64").detail()).contains(tag(20) + "-arm64");
        assertThat(byTag.get(tag(70) + "-amd64").detail()).contains("release-1.0");
        assertThat(byTag.get(tag(50) + "-arm64").reason()).isEqualTo(Reason.CHILD_OF_KEPT_INDEX);
        assertThat(byTag.get("buildcache-s390x").reason()).isEqualTo(Reason.ARCH_NOT_CONFIGURED);
        assertThat(byTag.get("buildcache-riscv64").reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD);
        assertThat(byTag.get("buildcache").reason()).isEqualTo(Reason.LEGACY_CACHE_SUPERSEDED);
        assertThat(byTag).doesNotContainKeys("latest", "stable", "release-1.0");
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + tag(3))).isEqualTo(200);

        // ---- apply: the same plan, carried out
        JanitorReport applied = run(janitor, target, false, false);
        RepositoryReport done = applied.repository("r");
        assertThat(applied.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.plan()).extracting(PlanItem::tag, PlanItem::digest, PlanItem::reason)
                .containsExactlyElementsOf(planned.plan().stream().map(i -> org.assertj.core.groups.Tuple.tuple(i.tag(), i.digest(), i.reason())).toList());
        assertThat(done.deleted()).isEqualTo(planned.plannedDeletions());
        assertThat(done.failed()).isZero();

        for (PlanItem item : done.plan()) {
            int status = seeder.headStatus("/v2/" + repo + "/manifests/" + item.tag());
            assertThat(status).as(item.action() + " " + item.tag()).isEqualTo(item.delete() ? 404 : 200);
        }
        for (String unmanaged : List.of("latest", "stable", "release-1.0")) {
            assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + unmanaged)).as(unmanaged).isEqualTo(200);
        }
        assertEveryKeptIndexChildResolves(seeder, repo, done);

        // ---- re-run: nothing left to do, and a 404 on delete counts as done
        JanitorReport again = run(janitor, target, false, false);
        assertThat(again.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(again.repository("r").plannedDeletions()).isZero();
        DeletionOutcome first = done.deletions().get(0);
        assertThat(new OciBackend(client).delete(target, new Deletion(first.digest(), null, first.tags(), true, first.reason())))
                .isEqualTo(JanitorBackend.DeleteResult.ALREADY_GONE);
    }

    @Test
    void aPlanOverTheCapIsNotAppliedUntilForced() {
        LocalRegistry registry = SharedParts.registry();
        RegistrySeeder seeder = new RegistrySeeder(registry);
        String repo = "cap/" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        for (int n = 1; n <= 12; n++) {
            pushHash(seeder, repo, n, now.minus(Duration.ofDays(10 + n)));
        }
        RepositoryTarget target = target(registry, repo, TestPolicies.from(POLICY).keepHashes(2).cap(10, 0.5).build());

        JanitorReport refused = run(janitor(), target, false, false);
        assertThat(refused.outcome()).isEqualTo(Outcome.CAP_EXCEEDED);
        assertThat(refused.repository("r").error()).contains("30 of 36 managed tags").contains("force=true");
        assertThat(refused.repository("r").deleted()).isZero();
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + tag(12))).isEqualTo(200);

        JanitorReport forced = run(janitor(), target, false, true);
        assertThat(forced.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(forced.repository("r").deleted()).isEqualTo(30);
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + tag(12))).isEqualTo(404);
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + tag(1) + "-arm64")).isEqualTo(200);
    }

    @Test
    void aSignatureWhoseIndexTheTagListingDidNotReachIsCheckedByDigestAndKeptWhileAnOrphanGoes() {
        LocalRegistry registry = SharedParts.registry();
        RegistrySeeder seeder = new RegistrySeeder(registry);
        String repo = "sigrace/" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        pushHash(seeder, repo, 1, now.minus(Duration.ofDays(10)));
        // the race: the new index is in the registry but no listed tag reaches it yet (pushed by digest here)
        Pushed freshImage = Seeding.image(seeder, repo, "amd64", now.minus(Duration.ofMinutes(1)), "fresh-amd64", List.of());
        Pushed brandNew = Seeding.index(seeder, repo, List.of(freshImage), List.of());
        String newSignature = ManagedTag.signatureTag(brandNew.digest());
        Seeding.image(seeder, repo, "sig", Instant.parse("0001-01-01T00:00:00Z"), "sig-new", List.of(newSignature));
        String orphan = "sha256-" + "ab".repeat(32) + ".sig";
        Seeding.image(seeder, repo, "sig", Instant.parse("0001-01-01T00:00:00Z"), "sig-orphan", List.of(orphan));

        JanitorReport report = run(janitor(), target(registry, repo, TestPolicies.from(POLICY).cap(100, 1.0).build()), false, false);

        RepositoryReport r = report.repository("r");
        assertThat(report.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(r.plan()).filteredOn(i -> newSignature.equals(i.tag())).singleElement()
                .satisfies(i -> assertThat(i.reason()).isEqualTo(Reason.SIGNED_IMAGE_UNLISTED));
        assertThat(r.plan()).filteredOn(i -> orphan.equals(i.tag())).singleElement()
                .satisfies(i -> assertThat(i.reason()).isEqualTo(Reason.ORPHANED_SIGNATURE));
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + newSignature)).isEqualTo(200);
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + orphan)).isEqualTo(404);
    }

    @Test
    void aRegistryWithDeletionDisabledAnswers405AndTheReportSaysSo() {
        try (LocalRegistry readOnly = LocalRegistry.start(false)) {
            RegistrySeeder seeder = new RegistrySeeder(readOnly);
            String repo = "nodelete/widget";
            for (int n = 1; n <= 3; n++) {
                pushHash(seeder, repo, n, Instant.now().minus(Duration.ofDays(10 + n)));
            }
            JanitorReport report = run(janitor(), target(readOnly, repo, TestPolicies.from(POLICY).keepHashes(1).cap(100, 1.0).build()), false, false);

            RepositoryReport r = report.repository("r");
            assertThat(report.outcome()).isEqualTo(Outcome.DELETION_UNSUPPORTED);
            assertThat(r.error()).contains("deletion disabled").contains("405");
            assertThat(r.deleted()).isZero();
            assertThat(r.deletions()).allMatch(d -> d.status() == DeletionOutcome.Status.NOT_ATTEMPTED);
            assertThat(r.notes()).anyMatch(n -> n.contains("garbage collection"));
            assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + tag(3))).isEqualTo(200);
        }
    }

    /** Every index a kept tag names can still be pulled whole: each child manifest resolves. */
    static void assertEveryKeptIndexChildResolves(RegistrySeeder seeder, String repo, RepositoryReport report) {
        List<String> tags = new ArrayList<>();
        report.plan().stream().filter(i -> !i.delete() && i.tag() != null).forEach(i -> tags.add(i.tag()));
        tags.addAll(List.of("latest", "stable"));
        for (String tag : tags) {
            HttpResponse<String> manifest = seeder.get("/v2/" + repo + "/manifests/" + tag);
            if (manifest.statusCode() == 404) {
                continue; // "latest"/"stable" exist only in some repositories
            }
            assertThat(manifest.statusCode()).as(tag).isEqualTo(200);
            if (manifest.body().contains("\"manifests\"")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(manifest.body());
                while (m.find()) {
                    assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + m.group(1)))
                            .as("child " + m.group(1) + " of kept index " + tag).isEqualTo(200);
                }
            }
        }
    }
}
