package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.job.JobListener;
import io.imagefarm.worker.job.JobResult;
import io.imagefarm.worker.job.JobSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's Prometheus metrics: builds by outcome and arch, build duration histogram, cached and
 * total Dockerfile steps (and their ratio), buildx runs ({@code build.attempts}), retries scheduled
 * through the retry topic by failure kind ({@code build.retries}), retry records consumed, unexpected
 * failures, queue lag, dead-lettered events.
 */
@ApplicationScoped
public class WorkerMetrics implements JobListener {

    private final MeterRegistry registry;
    private final String arch;
    private final AtomicLong cachedSteps = new AtomicLong();
    private final AtomicLong totalSteps = new AtomicLong();

    WorkerMetrics(MeterRegistry registry, WorkerConfig config) {
        this.registry = registry;
        this.arch = config.arch().id();
        registry.gauge("imagefarm.worker.cache.hit.ratio", List.of(Tag.of("arch", arch)), this,
                m -> m.totalSteps.get() == 0 ? 0.0 : (double) m.cachedSteps.get() / m.totalSteps.get());
    }

    @Override
    public void attempt(JobSpec job, int attempt) {
        counter("imagefarm.worker.build.attempts").increment();
    }

    @Override
    public void retry(JobSpec job, FailureKind kind, Duration backoff) {
        Counter.builder("imagefarm.worker.build.retries").tag("arch", arch).tag("kind", kind.name())
                .register(registry).increment();
    }

    @Override
    public void unexpectedFailure(JobSpec job, RuntimeException failure) {
        counter("imagefarm.worker.unexpected.failures").increment();
    }

    /** A record of the retry topic was taken (before its backoff is waited out). */
    public void retryConsumed() {
        counter("imagefarm.worker.retries.consumed").increment();
    }

    @Override
    public void finished(JobSpec job, JobResult result) {
        outcome(result.state().name(), result.failure());
        Timer.builder("imagefarm.worker.build.duration")
                .tag("arch", arch).tag("outcome", result.state().name())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry).record(result.duration());
        if (result.totalSteps() > 0) {
            Counter.builder("imagefarm.worker.build.steps").tag("arch", arch).tag("cached", "true")
                    .register(registry).increment(result.cachedSteps());
            Counter.builder("imagefarm.worker.build.steps").tag("arch", arch).tag("cached", "false")
                    .register(registry).increment(result.totalSteps() - result.cachedSteps());
            cachedSteps.addAndGet(result.cachedSteps());
            totalSteps.addAndGet(result.totalSteps());
        }
    }

    public void abandoned() {
        outcome("ABANDONED", null);
    }

    public void deadLettered() {
        counter("imagefarm.worker.events.dead.lettered").increment();
    }

    /** {@code partitions} of the work queue were committed past their transaction markers, idle. */
    public void markerCommits(int partitions) {
        counter("imagefarm.worker.marker.commits").increment(partitions);
    }

    /** Time from the event's record timestamp to its processing start. */
    public void queueLag(Duration lag) {
        Timer.builder("imagefarm.worker.queue.lag").tag("arch", arch)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(2))
                .register(registry).record(lag.isNegative() ? Duration.ZERO : lag);
    }

    private void outcome(String outcome, FailureKind failure) {
        Counter.builder("imagefarm.worker.builds").tag("arch", arch).tag("outcome", outcome)
                .tag("failure", failure == null ? "none" : failure.name())
                .register(registry).increment();
    }

    private Counter counter(String name) {
        return Counter.builder(name).tag("arch", arch).register(registry);
    }
}
