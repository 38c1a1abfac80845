package io.imagefarm.janitor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.backend.OciBackend;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.job.Janitor;
import io.imagefarm.janitor.job.RunRequest;
import io.imagefarm.janitor.policy.ManagedTag;
import io.imagefarm.janitor.policy.PlanItem;
import io.imagefarm.janitor.policy.RandomRegistries;
import io.imagefarm.janitor.policy.RandomRegistries.Node;
import io.imagefarm.janitor.report.DeletionOutcome;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.RepositoryReport;
import io.imagefarm.janitor.usage.UsageHistory;
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
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The randomized property, end to end: a generated registry (see {@link RandomRegistries}) pushed to the
 * real registry, a generated usage history, the plan applied (forced past the cap) through the OCI
 * backend; then every tag the policy keeps, and every tag it does not manage, still resolves to the same
 * digest, every index a remaining tag names still has all its children, and a cosign signature tag resolves
 * exactly while its image is reachable (by a remaining tag, or as a remaining index's child).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = JanitorTestResources.class, restrictToAnnotatedClass = false)
class RandomPlanRegistryIT {

    static final long[] SEEDS = {11, 23, 37, 41, 59, 73};

    final RegistryClient client = new RegistryClient(RegistryBeans.settings(Map.of("imagefarm.registry.tags-page-size", "7")));

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void afterApplyingARandomPlanEveryKeptTagAndKeptIndexChildStillResolves() {
        LocalRegistry registry = SharedParts.registry();
        RegistrySeeder seeder = new RegistrySeeder(registry);
        int deletedTotal = 0;
        long signatures = 0;
        for (long seed : SEEDS) {
            Instant now = Instant.now();
            RandomRegistries.Generated g = new RandomRegistries(seed, now).generate(false, 10);
            String repo = "random/s" + seed + "-" + now.toEpochMilli();
            Map<String, Pushed> pushed = new HashMap<>();
            Map<String, String> tagDigest = new HashMap<>();
            for (Node node : g.nodes()) {
                // a signature names its image's real digest; an orphan's image was never pushed here
                List<String> tags = node.tags(id -> pushed.containsKey(id) ? pushed.get(id).digest() : RandomRegistries.digestOf(id));
                Map<String, String> attests = new HashMap<>();
                g.nodes().stream().filter(n -> n.attestsId() != null && node.childIds().contains(n.id()))
                        .forEach(n -> attests.put(pushed.get(n.id()).digest(), pushed.get(n.attestsId()).digest()));
                Pushed p = node.index()
                        ? Seeding.index(seeder, repo, node.childIds().stream().map(pushed::get).toList(), tags, attests)
                        : Seeding.image(seeder, repo, node.arch(), node.pushedAt(), node.layerKey(), tags);
                pushed.put(node.id(), p);
                tags.forEach(t -> tagDigest.put(t, p.digest()));
            }
            String image = registry.host() + "/" + repo;
            UsageHistory usage = UsageHistory.empty();
            // as the hasher records use: an index-ref status per hash with its last request time
            g.lastRequested().forEach((hash, at) -> usage.add(
                    ImageStatus.index(image + ":builder-" + hash, repo, hash, BuildState.EXISTS, null, at, at)));
            RepositoryTarget target = new RepositoryTarget("r", Repository.of(registry.host(), repo), RepositoryTarget.BackendKind.OCI, g.settings(),
                    RepositoryTarget.OwnerType.ORG);

            JanitorReport report = new Janitor(kind -> new OciBackend(client), () -> usage, Clock.systemUTC(), statuses -> { })
                    .run(new RunRequest(JanitorReport.Trigger.API, false, true, Set.of()), List.of(target), () -> true);

            RepositoryReport r = report.repository("r");
            String ctx = "seed " + seed + " " + g.settings();
            assertThat(r.failed()).as(ctx).isZero();
            assertThat(r.deletions()).as(ctx).allMatch(d -> d.status() == DeletionOutcome.Status.DELETED
                    || d.status() == DeletionOutcome.Status.ALREADY_GONE);
            deletedTotal += r.deleted();
            for (PlanItem kept : r.plan()) {
                if (!kept.delete()) {
                    String reference = kept.tag() != null ? kept.tag() : kept.digest();
                    assertThat(headDigest(seeder, repo, reference)).as(ctx + ": kept " + kept).isEqualTo(kept.digest());
                }
            }
            tagDigest.forEach((tag, digest) -> {
                if (!ManagedTag.isManaged(tag)) {
                    assertThat(headDigest(seeder, repo, tag)).as(ctx + ": unmanaged " + tag).isEqualTo(digest);
                }
            });
            OciJanitorIT.assertEveryKeptIndexChildResolves(seeder, repo, r);
            for (DeletionOutcome d : r.deletions()) {
                assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + d.digest())).as(ctx + ": deleted " + d.digest()).isEqualTo(404);
            }
            Set<String> reachable = reachable(seeder, repo, tagDigest.keySet());
            tagDigest.keySet().stream().filter(ManagedTag::isSignature).forEach(tag -> {
                String signed = ManagedTag.parse(tag).orElseThrow().signedDigest();
                if (reachable.contains(signed)) {
                    assertThat(headDigest(seeder, repo, tag)).as(ctx + ": kept image " + signed + " lost its signature " + tag).isNotNull();
                } else {
                    assertThat(headDigest(seeder, repo, tag)).as(ctx + ": signature " + tag + " outlives its image").isNull();
                }
            });
            signatures += tagDigest.keySet().stream().filter(ManagedTag::isSignature).count();
        }
        assertThat(deletedTotal).as("the generated plans delete something").isPositive();
        assertThat(signatures).as("the generated registries hold signatures").isPositive();
    }

    /** Digests a remaining tag resolves to, and the children of the indexes among them. */
    static Set<String> reachable(RegistrySeeder seeder, String repo, Set<String> tags) {
        Set<String> digests = new java.util.HashSet<>();
        for (String tag : tags) {
            var manifest = seeder.get("/v2/" + repo + "/manifests/" + tag);
            if (manifest.statusCode() != 200) {
                continue;
            }
            digests.add(manifest.headers().firstValue("Docker-Content-Digest").orElseThrow());
            if (manifest.body().contains("\"manifests\"")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(manifest.body());
                while (m.find()) {
                    digests.add(m.group(1));
                }
            }
        }
        return digests;
    }

    static String headDigest(RegistrySeeder seeder, String repo, String reference) {
        var head = seeder.head("/v2/" + repo + "/manifests/" + reference);
        return head.statusCode() == 200 ? head.headers().firstValue("Docker-Content-Digest").orElse(null) : null;
    }
}
