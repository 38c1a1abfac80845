package io.imagefarm.janitor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.backend.GhcrStub.Fault;
import io.imagefarm.janitor.backend.GhcrStub.Version;
import io.imagefarm.janitor.backend.RateBudgetTest.FakeTime;
import io.imagefarm.janitor.config.TestPolicies;
import io.imagefarm.janitor.it.JanitorTestResources;
import io.imagefarm.janitor.job.Janitor;
import io.imagefarm.janitor.job.RunRequest;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import io.imagefarm.janitor.policy.ManagedTag;
import io.imagefarm.janitor.policy.Plan;
import io.imagefarm.janitor.policy.PolicySettings;
import io.imagefarm.janitor.policy.Reason;
import io.imagefarm.janitor.policy.RetentionPolicy;
import io.imagefarm.janitor.report.DeletionOutcome;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.RepositoryReport;
import io.imagefarm.janitor.usage.UsageHistory;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * <b>Contract tests</b> of the GitHub Packages backend. ghcr.io and api.github.com cannot be reached from
 * here, so these run against {@link GhcrStub}, a local HTTP server whose answers follow GitHub's documented
 * shapes for container package versions: pagination by {@code Link rel="next"}, 404, 429 with
 * {@code retry-after}, 403 with {@code x-ratelimit-reset}, and the "last tagged version" 400. They prove the
 * backend speaks that contract; they do not prove ghcr.io still does. The GitHub and registry clients are
 * the service's own beans, configured to reach the stub.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = JanitorTestResources.class, restrictToAnnotatedClass = false)
class GhcrPackagesContractIT {

    static final String PKG = "orgs/acme/tools/widget";
    static final PolicySettings POLICY = TestPolicies.defaults().keepHashes(1).cap(1000, 1.0).build();

    @Inject
    GhcrPackagesApi github;

    @Inject
    RegistryClient registry;

    GhcrStub stub;
    FakeTime time;
    RepositoryTarget target;

    @BeforeEach
    void setUp() {
        stub = JanitorTestResources.ghcrStub();
        stub.reset();
        time = new FakeTime();
        target = new RepositoryTarget("w", Repository.of(stub.host(), "acme/tools/widget"), RepositoryTarget.BackendKind.GHCR, POLICY,
                RepositoryTarget.OwnerType.ORG);
    }

    /** Two versions a page, to exercise pagination; waiting only advances the fake clock. */
    GhcrPackagesBackend backend(int deletesPerMinute, Duration maxWait) {
        return new GhcrPackagesBackend(github, new GhcrPackagesBackend.Settings(GhcrStub.TOKEN, 2, deletesPerMinute, maxWait),
                registry, time, time::sleep);
    }

    Instant daysAgo(int days) {
        return time.now.minus(Duration.ofDays(days));
    }

    static String hash(int n) {
        return String.format("%016x", n);
    }

    @Test
    void listsEveryVersionAcrossPagesByLinkRelNextWithTheDigestTagsAndCreatedAt() {
        for (int n = 1; n <= 5; n++) {
            stub.image(PKG, daysAgo(n), "builder-" + hash(n) + "-amd64");
        }
        List<GhcrPackagesBackend.Version> versions = backend(150, Duration.ZERO).listVersions(target);

        assertThat(versions).hasSize(5);
        assertThat(versions.get(0).digest()).startsWith("sha256:");
        assertThat(versions.get(0).tags()).containsExactly("builder-" + hash(1) + "-amd64");
        assertThat(versions.get(0).createdAt()).isEqualTo(daysAgo(1));
        assertThat(stub.requests()).filteredOn(r -> r.startsWith("GET /orgs/"))
                .containsExactly(
                        "GET /orgs/acme/packages/container/tools%2Fwidget/versions?per_page=2&page=1&state=active",
                        "GET /orgs/acme/packages/container/tools%2Fwidget/versions?per_page=2&page=2&state=active",
                        "GET /orgs/acme/packages/container/tools%2Fwidget/versions?per_page=2&page=3&state=active");
    }

    @Test
    void aUserOwnedPackageIsReachedThroughTheUsersEndpoints() {
        stub.image("users/octo/widget", daysAgo(1), "buildcache-amd64");
        RepositoryTarget user = new RepositoryTarget("u", Repository.of(stub.host(), "octo/widget"), RepositoryTarget.BackendKind.GHCR, POLICY,
                RepositoryTarget.OwnerType.USER);

        assertThat(backend(150, Duration.ZERO).listVersions(user)).hasSize(1);
    }

    @Test
    void aMissingPackageIs404AndHasNoVersions() {
        assertThat(backend(150, Duration.ZERO).scan(target).artifacts()).isEmpty();
    }

    @Test
    void deletingAVersionThatIsAlreadyGoneIs404AndCountsAsDone() {
        stub.image(PKG, daysAgo(1), "buildcache-amd64");
        Deletion gone = new Deletion("sha256:" + "0".repeat(64), "999999", List.of("builder-" + hash(9)), false, Reason.STALE_HASH);

        assertThat(backend(150, Duration.ZERO).delete(target, gone)).isEqualTo(JanitorBackend.DeleteResult.ALREADY_GONE);
    }

    @Test
    void a429WithRetryAfterWaitsAsToldAndRetries() {
        stub.image(PKG, daysAgo(1), "buildcache-amd64");
        Version stale = stub.image(PKG, daysAgo(40), "builder-" + hash(2) + "-amd64");
        stub.inject(new Fault("DELETE", 429, Map.of("retry-after", "7"), "You have exceeded a secondary rate limit."));

        JanitorBackend.DeleteResult result = backend(150, Duration.ofMinutes(1)).delete(target,
                new Deletion(stale.digest(), Long.toString(stale.id()), stale.tags(), false, Reason.STALE_HASH));

        assertThat(result).isEqualTo(JanitorBackend.DeleteResult.DELETED);
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(7));
        assertThat(stub.requests()).filteredOn(r -> r.startsWith("DELETE")).hasSize(2);
    }

    @Test
    void a403WithAnExhaustedRateLimitWaitsUntilXRateLimitReset() {
        stub.image(PKG, daysAgo(1), "buildcache-amd64");
        Version stale = stub.image(PKG, daysAgo(40), "builder-" + hash(2) + "-amd64");
        String reset = Long.toString(time.now.plusSeconds(20).getEpochSecond());
        stub.inject(new Fault("DELETE", 403, Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", reset),
                "API rate limit exceeded"));

        backend(150, Duration.ofMinutes(1)).delete(target,
                new Deletion(stale.digest(), Long.toString(stale.id()), stale.tags(), false, Reason.STALE_HASH));

        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(21));
    }

    @Test
    void theLastTaggedVersion400IsReportedAndNotRetried() {
        Version only = stub.image(PKG, daysAgo(40), "builder-" + hash(2) + "-amd64");

        assertThatThrownBy(() -> backend(150, Duration.ofMinutes(1)).delete(target,
                new Deletion(only.digest(), Long.toString(only.id()), only.tags(), false, Reason.STALE_HASH)))
                .isInstanceOf(DeletionRefusedException.class)
                .hasMessageContaining("400").hasMessageContaining("last tagged version");
        assertThat(stub.requests()).filteredOn(r -> r.startsWith("DELETE")).hasSize(1);
        assertThat(time.sleeps).isEmpty();
    }

    @Test
    void untaggedChildrenOfAKeptIndexAreKeptAndSupersededUntaggedVersionsGo() {
        Version amd = stub.image(PKG, daysAgo(5));
        Version arm = stub.image(PKG, daysAgo(5));
        stub.index(PKG, daysAgo(5), List.of(amd, arm), "builder-" + hash(1));
        Version oldAmd = stub.image(PKG, daysAgo(30));
        stub.index(PKG, daysAgo(30), List.of(oldAmd, arm), "builder-" + hash(2));
        Version superseded = stub.image(PKG, daysAgo(3));
        Version justPushed = stub.image(PKG, time.now.minus(Duration.ofHours(2)));

        Inventory inventory = backend(150, Duration.ZERO).scan(target);
        Plan plan = new RetentionPolicy(POLICY).plan(inventory, Map.of(), time.now);

        assertThat(inventory.listsUntagged()).isTrue();
        assertThat(plan.deletions()).extracting(Deletion::versionId).containsExactlyInAnyOrder(
                Long.toString(stub.versions(PKG).get(4).id()), Long.toString(oldAmd.id()), Long.toString(superseded.id()));
        assertThat(plan.items()).filteredOn(i -> i.digest().equals(arm.digest())).singleElement()
                .satisfies(i -> assertThat(i.reason()).isEqualTo(Reason.CHILD_OF_KEPT_INDEX));
        assertThat(plan.items()).filteredOn(i -> i.digest().equals(justPushed.digest())).singleElement()
                .satisfies(i -> assertThat(i.reason()).isEqualTo(Reason.WITHIN_GRACE_PERIOD));
        assertThat(plan.bytesReclaimable()).isPositive();
    }

    @Test
    void aLargeBacklogFinishesOverSeveralRunsWithinTheRateBudget() {
        stub.image(PKG, daysAgo(1), "builder-" + hash(1) + "-amd64");
        for (int n = 0; n < 7; n++) {
            stub.image(PKG, daysAgo(10 + n));
        }
        int runs = 0;
        int deleted = 0;
        JanitorReport report;
        do {
            // a fresh backend per run, like the service: 3 deletes a minute, and no waiting allowed
            GhcrPackagesBackend backend = backend(3, Duration.ZERO);
            report = new Janitor(kind -> backend, UsageHistory::empty, time, statuses -> { })
                    .run(new RunRequest(JanitorReport.Trigger.SCHEDULED, false, false, Set.of()), List.of(target), () -> true);
            RepositoryReport r = report.repository("w");
            deleted += r.deleted();
            runs++;
            if (r.deferred() > 0) {
                assertThat(report.outcome()).isEqualTo(JanitorReport.Outcome.PARTIAL);
                assertThat(r.deletions()).filteredOn(d -> d.status() == DeletionOutcome.Status.DEFERRED)
                        .allSatisfy(d -> assertThat(d.message()).contains("deferred to the next run"));
            }
            time.sleep(Duration.ofMinutes(1)); // the next scheduled run comes later
        } while (report.repository("w").plannedDeletions() > 0 && runs < 10);

        assertThat(deleted).isEqualTo(7);
        assertThat(runs).isEqualTo(4); // 3 + 3 + 1, then a run with nothing left
        assertThat(stub.versions(PKG)).hasSize(1);
    }

    @Test
    void aSignatureIsDeletedAsItsOwnVersionAfterItsImageAndAKeptImagesSignatureStays() {
        Version kept = stub.image(PKG, daysAgo(1), "builder-" + hash(1) + "-amd64");
        Version keptSignature = stub.image(PKG, daysAgo(1), ManagedTag.signatureTag(kept.digest()));
        Version stale = stub.image(PKG, daysAgo(40), "builder-" + hash(2) + "-amd64");
        Version staleSignature = stub.image(PKG, daysAgo(40), ManagedTag.signatureTag(stale.digest()));
        Version orphan = stub.image(PKG, daysAgo(40), "sha256-" + "ab".repeat(32) + ".sig");
        GhcrPackagesBackend backend = backend(150, Duration.ZERO);

        JanitorReport report = new Janitor(kind -> backend, UsageHistory::empty, time, statuses -> { })
                .run(new RunRequest(JanitorReport.Trigger.API, false, false, Set.of()), List.of(target), () -> true);

        assertThat(report.outcome()).isEqualTo(JanitorReport.Outcome.APPLIED);
        List<String> deletes = stub.requests().stream().filter(r -> r.startsWith("DELETE")).toList();
        assertThat(deletes).hasSize(3);
        assertThat(deletes.get(0)).endsWith("/versions/" + stale.id());
        assertThat(deletes.subList(1, 3)).anySatisfy(r -> assertThat(r).endsWith("/versions/" + staleSignature.id()))
                .anySatisfy(r -> assertThat(r).endsWith("/versions/" + orphan.id()));
        assertThat(stub.versions(PKG)).extracting(Version::id).containsExactlyInAnyOrder(kept.id(), keptSignature.id());
        assertThat(report.repository("w").plan()).filteredOn(i -> ManagedTag.signatureTag(kept.digest()).equals(i.tag()))
                .singleElement().satisfies(i -> assertThat(i.reason()).isEqualTo(Reason.SIGNATURE_OF_KEPT_IMAGE));
    }
}
