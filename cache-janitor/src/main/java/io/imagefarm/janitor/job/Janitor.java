package io.imagefarm.janitor.job;

import io.imagefarm.janitor.backend.DeletionRefusedException;
import io.imagefarm.janitor.backend.DeletionUnsupportedException;
import io.imagefarm.janitor.backend.JanitorBackend;
import io.imagefarm.janitor.backend.RateBudgetExhaustedException;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import io.imagefarm.janitor.policy.Plan;
import io.imagefarm.janitor.policy.PlanItem;
import io.imagefarm.janitor.policy.RetentionPolicy;
import io.imagefarm.janitor.report.DeletionOutcome;
import io.imagefarm.janitor.report.DeletionOutcome.Status;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.JanitorReport.Outcome;
import io.imagefarm.janitor.report.RepositoryReport;
import io.imagefarm.janitor.usage.UsageHistory;
import io.imagefarm.janitor.usage.UsageSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One run, start to end, in plain Java: read usage, and per repository scan, plan, and (unless dry run,
 * or over the cap without force) apply the plan. No framework: the Quarkus beans around it only
 * trigger it, hold the lock and the lease, and publish what it returns.
 *
 * <p>Applying: deletions run in plan order (indexes first, an image before its signature). Before each one
 * the lease must still be held, and every deletion it comes {@link Deletion#after() after} must have
 * succeeded: a child whose index stayed, or a signature whose image stayed, is not attempted. 404 counts as
 * done (rule 5, idempotent re-runs). 405 UNSUPPORTED stops the repository; a spent
 * rate-limit budget defers the rest to the next run; a refused or failed item is reported and the run
 * goes on.
 */
public final class Janitor {

    private static final Logger LOG = Logger.getLogger(Janitor.class);

    private final Function<RepositoryTarget.BackendKind, JanitorBackend> backends;
    private final UsageSource usage;
    private final Clock clock;
    private final DeletionNotices notices;

    /**
     * @param backends called once per kind per run: a backend's rate budget lasts one run
     * @param notices  told of every deletion, so the status topic says DELETED for what is gone
     */
    public Janitor(Function<RepositoryTarget.BackendKind, JanitorBackend> backends, UsageSource usage, Clock clock,
                   DeletionNotices notices) {
        this.backends = backends;
        this.usage = usage;
        this.clock = clock;
        this.notices = notices;
    }

    public JanitorReport run(RunRequest request, List<RepositoryTarget> targets, BooleanSupplier leaseHeld) {
        String runId = UUID.randomUUID().toString();
        Instant started = clock.instant();
        List<RepositoryReport> reports = new ArrayList<>();
        String error = null;
        UsageHistory history = null;
        try {
            history = usage.read();
        } catch (RuntimeException e) {
            error = "usage history unavailable, nothing planned: " + e.getMessage();
            LOG.errorf("janitor run %s: %s", runId, error);
        }
        if (history != null) {
            Map<RepositoryTarget.BackendKind, JanitorBackend> runBackends = new EnumMap<>(RepositoryTarget.BackendKind.class);
            for (RepositoryTarget target : targets) {
                if (!request.repositories().isEmpty() && !request.repositories().contains(target.id())) {
                    continue;
                }
                JanitorBackend backend = runBackends.computeIfAbsent(target.backend(), backends);
                reports.add(runRepository(request, target, backend, history, started, leaseHeld));
            }
        }
        Instant finished = clock.instant();
        Outcome outcome = error != null ? Outcome.FAILED : reports.stream().map(RepositoryReport::outcome)
                .max(Comparator.naturalOrder()).orElse(request.dryRun() ? Outcome.DRY_RUN : Outcome.APPLIED);
        JanitorReport report = new JanitorReport(JanitorReport.SCHEMA_VERSION, UUID.randomUUID().toString(), runId,
                request.trigger(), request.dryRun(), request.force(), outcome, started, finished,
                Duration.between(started, finished).toMillis(), reports, error);
        logSummary(report);
        return report;
    }

    private RepositoryReport runRepository(RunRequest request, RepositoryTarget target, JanitorBackend backend,
                                           UsageHistory history, Instant now, BooleanSupplier leaseHeld) {
        Plan plan;
        try {
            Inventory inventory = backend.scan(target);
            plan = new RetentionPolicy(target.policy()).plan(inventory, history.lastRequested(target.image()), now);
        } catch (RuntimeException e) {
            LOG.errorf(e, "janitor: cannot plan %s", target.image());
            return new RepositoryReport(target.id(), target.image(), target.backend().name().toLowerCase(java.util.Locale.ROOT),
                    Outcome.FAILED, 0, 0, Map.of(), 0, 0, 0, 0, 0, 0, null, backend.notes(),
                    "cannot plan: " + e.getMessage(), List.of(), List.of());
        }
        if (request.dryRun()) {
            for (PlanItem item : plan.items()) {
                LOG.infof("janitor dry run %s: %-6s %s %s (%s: %s)", target.image(), item.action(), item.label(),
                        item.digest(), item.reason(), item.detail());
            }
            return report(target, plan, Outcome.DRY_RUN, outcomes(plan, Status.PLANNED, null), backend, null);
        }
        if (plan.cap().exceeded() && !request.force()) {
            LOG.warnf("janitor %s: %s", target.image(), plan.cap().message());
            return report(target, plan, Outcome.CAP_EXCEEDED, outcomes(plan, Status.PLANNED, plan.cap().message()), backend,
                    plan.cap().message());
        }
        return apply(target, plan, backend, leaseHeld);
    }

    private RepositoryReport apply(RepositoryTarget target, Plan plan, JanitorBackend backend, BooleanSupplier leaseHeld) {
        List<DeletionOutcome> outcomes = new ArrayList<>();
        Outcome outcome = Outcome.APPLIED;
        String error = null;
        List<Deletion> deletions = plan.deletions();
        java.util.Set<String> gone = new java.util.HashSet<>();
        for (int i = 0; i < deletions.size(); i++) {
            Deletion d = deletions.get(i);
            String stayed = d.after().stream().filter(first -> !gone.contains(first)).findFirst().orElse(null);
            if (stayed != null) {
                outcomes.add(outcome(d, Status.NOT_ATTEMPTED, "not attempted: it goes only after " + stayed
                        + ", which was not deleted"));
                outcome = Outcome.PARTIAL;
                continue;
            }
            if (!leaseHeld.getAsBoolean()) {
                error = "the janitor lease was lost (another replica may run now): stopped before " + d.label();
                skipRest(deletions, i, Status.NOT_ATTEMPTED, error, outcomes);
                outcome = Outcome.PARTIAL;
                break;
            }
            try {
                JanitorBackend.DeleteResult result = backend.delete(target, d);
                Status done = result == JanitorBackend.DeleteResult.DELETED ? Status.DELETED : Status.ALREADY_GONE;
                gone.add(d.digest());
                String noticeError = notify(target, d);
                outcomes.add(outcome(d, done, noticeError));
                if (noticeError != null) {
                    outcome = Outcome.PARTIAL;
                    error = noticeError;
                }
            } catch (DeletionUnsupportedException e) {
                error = e.getMessage();
                skipRest(deletions, i, Status.NOT_ATTEMPTED, e.getMessage(), outcomes);
                outcome = Outcome.DELETION_UNSUPPORTED;
                LOG.errorf("janitor %s: %s", target.image(), e.getMessage());
                break;
            } catch (RateBudgetExhaustedException e) {
                skipRest(deletions, i, Status.DEFERRED, e.getMessage(), outcomes);
                outcome = Outcome.PARTIAL;
                LOG.warnf("janitor %s: %s", target.image(), e.getMessage());
                break;
            } catch (DeletionRefusedException e) {
                outcomes.add(outcome(d, Status.FAILED, e.getMessage()));
                outcome = Outcome.PARTIAL;
                LOG.warnf("janitor %s: %s", target.image(), e.getMessage());
            } catch (RuntimeException e) {
                outcomes.add(outcome(d, Status.FAILED, e.getMessage()));
                outcome = Outcome.PARTIAL;
                LOG.warnf(e, "janitor %s: deleting %s failed", target.image(), d.label());
            }
        }
        return report(target, plan, outcome, outcomes, backend, error);
    }

    /** @return null, or why the status topic was not told (the tag is gone either way; the report says so) */
    private String notify(RepositoryTarget target, Deletion d) {
        try {
            notices.deleted(DeletionNotices.statusesOf(target, d, clock.instant()));
            return null;
        } catch (RuntimeException e) {
            LOG.errorf("janitor %s: %s was deleted but its DELETED status was not published: %s", target.image(), d.label(), e.getMessage());
            return "deleted, but the DELETED status was not published: " + e.getMessage();
        }
    }

    private static void skipRest(List<Deletion> deletions, int from, Status status, String why, List<DeletionOutcome> into) {
        for (int j = from; j < deletions.size(); j++) {
            into.add(outcome(deletions.get(j), status, why));
        }
    }

    private static List<DeletionOutcome> outcomes(Plan plan, Status status, String message) {
        return plan.deletions().stream().map(d -> outcome(d, status, message)).toList();
    }

    private static DeletionOutcome outcome(Deletion d, Status status, String message) {
        return new DeletionOutcome(d.digest(), d.versionId(), d.tags(), d.reason(), status, message);
    }

    private static RepositoryReport report(RepositoryTarget target, Plan plan, Outcome outcome, List<DeletionOutcome> outcomes,
                                           JanitorBackend backend, String error) {
        return new RepositoryReport(target.id(), target.image(), target.backend().name().toLowerCase(java.util.Locale.ROOT),
                outcome, plan.tagsScanned(), plan.managedTags(), plan.keptByReason(), plan.deletions().size(),
                count(outcomes, Status.DELETED), count(outcomes, Status.ALREADY_GONE), count(outcomes, Status.FAILED),
                count(outcomes, Status.DEFERRED), plan.bytesReclaimable(), plan.cap(), backend.notes(), error, plan.items(),
                outcomes);
    }

    private static int count(List<DeletionOutcome> outcomes, Status status) {
        return (int) outcomes.stream().filter(o -> o.status() == status).count();
    }

    private static void logSummary(JanitorReport report) {
        LOG.infof("janitor run %s (%s%s%s): %s in %d ms%s", report.runId(), report.trigger(), report.dryRun() ? ", dry run" : "",
                report.force() ? ", forced" : "", report.outcome(), report.durationMillis(),
                report.error() != null ? ": " + report.error() : "");
        for (RepositoryReport r : report.repositories()) {
            LOG.infof("janitor %s [%s]: %s; %d tags scanned, %d managed, kept %s, %d planned deletions: %d deleted, %d already gone,"
                            + " %d failed, %d deferred; %d bytes reclaimable%s", r.image(), r.backend(), r.outcome(), r.tagsScanned(),
                    r.managedTags(), r.keptByReason(), r.plannedDeletions(), r.deleted(), r.alreadyGone(), r.failed(), r.deferred(),
                    r.bytesReclaimable(), r.error() != null ? "; " + r.error() : "");
        }
    }
}
