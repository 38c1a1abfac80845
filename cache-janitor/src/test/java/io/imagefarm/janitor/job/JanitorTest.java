package io.imagefarm.janitor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.backend.DeletionRefusedException;
import io.imagefarm.janitor.backend.DeletionUnsupportedException;
import io.imagefarm.janitor.backend.JanitorBackend;
import io.imagefarm.janitor.backend.RateBudgetExhaustedException;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.config.TestPolicies;
import io.imagefarm.janitor.policy.Artifact;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import io.imagefarm.janitor.policy.PolicySettings;
import io.imagefarm.janitor.report.DeletionOutcome.Status;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.JanitorReport.Outcome;
import io.imagefarm.janitor.report.JanitorReport.Trigger;
import io.imagefarm.janitor.report.RepositoryReport;
import io.imagefarm.janitor.usage.UsageHistory;
import io.imagefarm.janitor.usage.UsageUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The run orchestration, with an in-memory backend: dry run, apply, cap and force, and failure handling. */
class JanitorTest {

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final PolicySettings POLICY = TestPolicies.defaults().keepHashes(1).cap(100, 1.0).build();
    static final DeletionNotices NO_NOTICES = statuses -> { };
    static final RepositoryTarget TARGET = new RepositoryTarget("w", Repository.of("registry.test", "acme/widget"),
            RepositoryTarget.BackendKind.OCI, POLICY, RepositoryTarget.OwnerType.ORG);

    /** Five hashes, one manifest each, pushed 10, 20, ... days ago. Tracks deletions; can misbehave on cue. */
    static class FakeBackend implements JanitorBackend {
        final List<Artifact> artifacts = new ArrayList<>();
        final Set<String> gone = new HashSet<>();
        final List<String> deleteCalls = new ArrayList<>();
        boolean unsupported;
        String refuse;
        int budget = Integer.MAX_VALUE;

        FakeBackend() {
            for (int n = 1; n <= 5; n++) {
                artifacts.add(new Artifact("sha256:" + String.format("%064d", n), null,
                        Set.of("builder-" + String.format("%016x", n) + "-amd64"), false, List.of(),
                        NOW.minus(Duration.ofDays(10L * n)), Map.of("b" + n, 100L)));
            }
        }

        @Override
        public Inventory scan(RepositoryTarget target) {
            return new Inventory(target.image(), artifacts.stream().filter(a -> !gone.contains(a.digest())).toList(), false);
        }

        @Override
        public DeleteResult delete(RepositoryTarget target, Deletion deletion) {
            deleteCalls.add(deletion.digest());
            if (unsupported) {
                throw new DeletionUnsupportedException("405 UNSUPPORTED", null);
            }
            if (deletion.digest().equals(refuse)) {
                throw new DeletionRefusedException("last tagged version", 400);
            }
            if (budget-- <= 0) {
                throw new RateBudgetExhaustedException("budget spent");
            }
            return gone.add(deletion.digest()) ? DeleteResult.DELETED : DeleteResult.ALREADY_GONE;
        }

        @Override
        public List<String> notes() {
            return List.of("gc note");
        }
    }

    static JanitorReport run(FakeBackend backend, boolean dryRun, boolean force) {
        return run(backend, dryRun, force, () -> true);
    }

    static JanitorReport run(FakeBackend backend, boolean dryRun, boolean force, java.util.function.BooleanSupplier lease) {
        return new Janitor(kind -> backend, UsageHistory::empty, CLOCK, NO_NOTICES)
                .run(new RunRequest(Trigger.API, dryRun, force, Set.of()), List.of(TARGET), lease);
    }

    @Test
    void dryRunReturnsTheExactPlanAndDeletesNothing() {
        FakeBackend backend = new FakeBackend();
        JanitorReport report = run(backend, true, false);

        RepositoryReport r = report.repository("w");
        assertThat(report.outcome()).isEqualTo(Outcome.DRY_RUN);
        assertThat(backend.deleteCalls).isEmpty();
        assertThat(r.plan()).hasSize(5);
        assertThat(r.deletions()).hasSize(4).allMatch(d -> d.status() == Status.PLANNED);
        assertThat(r.bytesReclaimable()).isEqualTo(400);
        assertThat(r.notes()).containsExactly("gc note");
    }

    @Test
    void applyDeletesWhatTheDryRunPlanned() {
        FakeBackend backend = new FakeBackend();
        List<String> planned = run(backend, true, false).repository("w").deletions().stream().map(d -> d.digest()).toList();

        JanitorReport report = run(backend, false, false);

        assertThat(report.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(backend.deleteCalls).containsExactlyElementsOf(planned);
        assertThat(report.repository("w").deleted()).isEqualTo(4);
    }

    @Test
    void safetyRule5_reRunsAreIdempotentAndAnAlreadyGoneItemCountsAsDone() {
        FakeBackend backend = new FakeBackend();
        // Someone deleted two of them after the scan: the backend answers 404 for those.
        FakeBackend racing = new FakeBackend() {
            @Override
            public Inventory scan(RepositoryTarget target) {
                Inventory inventory = super.scan(target);
                gone.add(artifacts.get(3).digest());
                gone.add(artifacts.get(4).digest());
                return inventory;
            }
        };
        JanitorReport first = run(racing, false, false);
        assertThat(first.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(first.repository("w").deleted()).isEqualTo(2);
        assertThat(first.repository("w").alreadyGone()).isEqualTo(2);
        assertThat(first.repository("w").failed()).isZero();

        run(backend, false, false);
        JanitorReport again = run(backend, false, false);
        assertThat(again.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(again.repository("w").plannedDeletions()).isZero();
    }

    @Test
    void safetyRule4_aPlanOverTheCapIsNotAppliedWithoutForce() {
        FakeBackend backend = new FakeBackend();
        RepositoryTarget capped = new RepositoryTarget("w", Repository.of("registry.test", "acme/widget"), RepositoryTarget.BackendKind.OCI,
                TestPolicies.from(POLICY).cap(3, 1.0).build(), RepositoryTarget.OwnerType.ORG);
        Janitor janitor = new Janitor(kind -> backend, UsageHistory::empty, CLOCK, NO_NOTICES);

        JanitorReport refused = janitor.run(new RunRequest(Trigger.SCHEDULED, false, false, Set.of()), List.of(capped), () -> true);
        assertThat(refused.outcome()).isEqualTo(Outcome.CAP_EXCEEDED);
        assertThat(refused.repository("w").error()).contains("deletion cap exceeded").contains("force");
        assertThat(refused.repository("w").deletions()).allMatch(d -> d.status() == Status.PLANNED);
        assertThat(backend.deleteCalls).isEmpty();

        JanitorReport forced = janitor.run(new RunRequest(Trigger.API, false, true, Set.of()), List.of(capped), () -> true);
        assertThat(forced.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(backend.deleteCalls).hasSize(4);
    }

    @Test
    void deletionDisabledOnTheRegistryStopsAndSaysSo() {
        FakeBackend backend = new FakeBackend();
        backend.unsupported = true;
        JanitorReport report = run(backend, false, false);

        assertThat(report.outcome()).isEqualTo(Outcome.DELETION_UNSUPPORTED);
        assertThat(backend.deleteCalls).hasSize(1);
        assertThat(report.repository("w").error()).contains("405 UNSUPPORTED");
        assertThat(report.repository("w").deletions()).allMatch(d -> d.status() == Status.NOT_ATTEMPTED);
    }

    @Test
    void aRefusedDeletionIsReportedAndTheRunGoesOn() {
        FakeBackend backend = new FakeBackend();
        backend.refuse = backend.artifacts.get(2).digest();
        JanitorReport report = run(backend, false, false);

        assertThat(report.outcome()).isEqualTo(Outcome.PARTIAL);
        assertThat(report.repository("w").failed()).isEqualTo(1);
        assertThat(report.repository("w").deleted()).isEqualTo(3);
        assertThat(report.repository("w").deletions()).filteredOn(d -> d.status() == Status.FAILED)
                .singleElement().satisfies(d -> assertThat(d.message()).contains("last tagged version"));
    }

    @Test
    void aSpentRateBudgetDefersTheRestAndTheNextRunFinishes() {
        FakeBackend backend = new FakeBackend();
        backend.budget = 2;
        JanitorReport first = run(backend, false, false);
        assertThat(first.outcome()).isEqualTo(Outcome.PARTIAL);
        assertThat(first.repository("w").deleted()).isEqualTo(2);
        assertThat(first.repository("w").deferred()).isEqualTo(2);

        backend.budget = 2;
        JanitorReport second = run(backend, false, false);
        assertThat(second.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(second.repository("w").deleted()).isEqualTo(2);
        assertThat(backend.gone).hasSize(4);
    }

    @Test
    void losingTheLeaseStopsBeforeTheNextDeletion() {
        FakeBackend backend = new FakeBackend();
        int[] checks = {0};
        JanitorReport report = run(backend, false, false, () -> checks[0]++ < 1);

        assertThat(backend.deleteCalls).hasSize(1);
        assertThat(report.outcome()).isEqualTo(Outcome.PARTIAL);
        assertThat(report.repository("w").error()).contains("lease was lost");
    }

    @Test
    void everyDeletedBuilderTagIsAnnouncedAsDeletedUnderItsImageRef() {
        FakeBackend backend = new FakeBackend();
        List<ImageStatus> announced = new ArrayList<>();
        new Janitor(kind -> backend, UsageHistory::empty, CLOCK, announced::addAll)
                .run(new RunRequest(Trigger.API, false, false, Set.of()), List.of(TARGET), () -> true);

        assertThat(announced).hasSize(4).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(BuildState.DELETED);
            assertThat(s.image()).startsWith("registry.test/acme/widget:builder-").endsWith("-amd64");
        });
    }

    @Test
    void aDeletionWhoseStatusCannotBePublishedMakesTheRunPartialAndSaysSo() {
        FakeBackend backend = new FakeBackend();
        JanitorReport report = new Janitor(kind -> backend, UsageHistory::empty, CLOCK, statuses -> {
            throw new IllegalStateException("broker down");
        }).run(new RunRequest(Trigger.API, false, false, Set.of()), List.of(TARGET), () -> true);

        assertThat(report.outcome()).isEqualTo(Outcome.PARTIAL);
        assertThat(report.repository("w").deleted()).isEqualTo(4);
        assertThat(report.repository("w").error()).contains("DELETED status was not published").contains("broker down");
    }

    @Test
    void withoutUsageHistoryNothingIsPlannedOrDeleted() {
        FakeBackend backend = new FakeBackend();
        JanitorReport report = new Janitor(kind -> backend, () -> {
            throw new UsageUnavailableException("broker down");
        }, CLOCK, NO_NOTICES).run(new RunRequest(Trigger.SCHEDULED, false, false, Set.of()), List.of(TARGET), () -> true);

        assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(report.error()).contains("broker down");
        assertThat(report.repositories()).isEmpty();
        assertThat(backend.deleteCalls).isEmpty();
    }

    @Test
    void aSignatureWhoseImageCouldNotBeDeletedIsNotAttemptedAndSignaturesAreNotAnnounced() {
        FakeBackend backend = new FakeBackend();
        for (Artifact image : List.copyOf(backend.artifacts)) {
            String hex = image.digest().substring("sha256:".length());
            backend.artifacts.add(new Artifact("sha256:" + new StringBuilder(hex).reverse(), null, Set.of("sha256-" + hex + ".sig"),
                    false, List.of(), Instant.parse("0001-01-01T00:00:00Z"), Map.of("payload" + hex, 300L)));
        }
        String refused = backend.artifacts.get(2).digest();
        String itsSignature = "sha256:" + new StringBuilder(refused.substring("sha256:".length())).reverse();
        backend.refuse = refused;
        List<ImageStatus> announced = new ArrayList<>();
        JanitorReport report = new Janitor(kind -> backend, UsageHistory::empty, CLOCK, announced::addAll)
                .run(new RunRequest(Trigger.API, false, false, Set.of()), List.of(TARGET), () -> true);

        RepositoryReport r = report.repository("w");
        assertThat(report.outcome()).isEqualTo(Outcome.PARTIAL);
        assertThat(backend.deleteCalls).doesNotContain(itsSignature);
        assertThat(r.deletions()).filteredOn(d -> d.digest().equals(itsSignature)).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Status.NOT_ATTEMPTED);
            assertThat(d.message()).contains(refused);
        });
        assertThat(r.deleted()).isEqualTo(3 + 3);
        assertThat(announced).hasSize(3).allSatisfy(s -> assertThat(s.image()).doesNotContain(".sig"));
    }

    @Test
    void aChildIsNotDeletedWhileTheIndexOverItCouldNotBe() {
        FakeBackend backend = new FakeBackend();
        Artifact child = backend.artifacts.get(4);
        String index = "sha256:" + "e".repeat(64);
        backend.artifacts.add(new Artifact(index, null, Set.of("builder-" + String.format("%016x", 5)), true,
                List.of(child.digest()), null, Map.of()));
        backend.refuse = index;
        JanitorReport report = run(backend, false, false);

        assertThat(backend.deleteCalls).first().isEqualTo(index);
        assertThat(backend.deleteCalls).doesNotContain(child.digest());
        assertThat(report.repository("w").deletions()).filteredOn(d -> d.digest().equals(child.digest())).singleElement()
                .satisfies(d -> assertThat(d.status()).isEqualTo(Status.NOT_ATTEMPTED));
        assertThat(report.repository("w").deleted()).isEqualTo(3);
    }
}
