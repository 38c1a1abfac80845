package io.imagefarm.janitor.report;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer metrics per run (Prometheus at {@code /q/metrics}): tags scanned, kept by reason, deleted,
 * failed, deferred, bytes reclaimable and run duration, tagged by repository.
 */
public final class JanitorMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> reclaimable = new ConcurrentHashMap<>();

    public JanitorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(JanitorReport report) {
        Tags runTags = Tags.of("trigger", report.trigger().name().toLowerCase(), "outcome", report.outcome().name().toLowerCase(),
                "dry_run", Boolean.toString(report.dryRun()));
        registry.counter("imagefarm.janitor.runs", runTags).increment();
        registry.timer("imagefarm.janitor.run.duration", runTags).record(Duration.ofMillis(report.durationMillis()));
        for (RepositoryReport r : report.repositories()) {
            Tags repo = Tags.of("repository", r.image());
            registry.counter("imagefarm.janitor.tags.scanned", repo).increment(r.tagsScanned());
            r.keptByReason().forEach((reason, n) ->
                    registry.counter("imagefarm.janitor.kept", repo.and("reason", reason.name().toLowerCase())).increment(n));
            registry.counter("imagefarm.janitor.deleted", repo).increment(r.deleted() + r.alreadyGone());
            registry.counter("imagefarm.janitor.failed", repo).increment(r.failed());
            registry.counter("imagefarm.janitor.deferred", repo).increment(r.deferred());
            reclaimable.computeIfAbsent(r.image(), image -> registry.gauge("imagefarm.janitor.bytes.reclaimable", repo, new AtomicLong()))
                    .set(r.bytesReclaimable());
        }
    }
}
