package io.imagefarm.janitor.job;

import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.report.JanitorMetrics;
import io.imagefarm.janitor.report.JanitorReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Runs the plain {@link Janitor} over the configured repositories behind the {@link RunGate} (one run at a
 * time, on the lease holder only), then records, publishes and remembers the report.
 */
@ApplicationScoped
public class JanitorService {

    private static final Logger LOG = Logger.getLogger(JanitorService.class);

    private final Janitor janitor;
    private final List<RepositoryTarget> targets;
    private final Lease lease;
    private final RunGate gate;
    private final ReportSink reports;
    private final JanitorMetrics metrics;
    private final AtomicReference<JanitorReport> latest = new AtomicReference<>();

    @Inject
    public JanitorService(Janitor janitor, List<RepositoryTarget> targets, Lease lease, ReportSink reports,
                          JanitorMetrics metrics) {
        this.janitor = janitor;
        this.targets = targets;
        this.lease = lease;
        this.gate = new RunGate(lease::held);
        this.reports = reports;
        this.metrics = metrics;
    }

    /** The scheduled run: skipped (empty) if a run is in progress or another replica leads. */
    public Optional<JanitorReport> runScheduled() {
        Optional<JanitorReport> report = gate.runOrSkip(() -> execute(RunRequest.scheduled()));
        if (report.isEmpty()) {
            LOG.infof("cache-janitor: scheduled run skipped: %s", gate.running() ? RunGate.Refusal.RUN_IN_PROGRESS.message()
                    : RunGate.Refusal.NOT_LEADER.message());
        }
        return report;
    }

    /** A manual run; throws {@link RunGate.RunRefusedException} if one is in progress or another replica leads. */
    public JanitorReport run(RunRequest request) {
        return gate.runOrRefuse(() -> execute(request));
    }

    public Optional<JanitorReport> latest() {
        return Optional.ofNullable(latest.get());
    }

    public boolean leaseHeld() {
        return lease.held();
    }

    public String leaseState() {
        return lease.describe();
    }

    private JanitorReport execute(RunRequest request) {
        JanitorReport report = janitor.run(request, targets, lease::held);
        latest.set(report);
        metrics.record(report);
        try {
            reports.publish(report);
        } catch (RuntimeException e) {
            // The run is done and the API caller gets the report; the event is what is missing, so say so.
            LOG.errorf("cache-janitor: %s", e.getMessage());
        }
        return report;
    }
}
