package io.imagefarm.worker.config;

import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.secret.Secrets;
import io.imagefarm.git.GitSettings;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.RegistryClientSettings;
import io.imagefarm.worker.buildx.BuildxBuilder;
import io.imagefarm.worker.buildx.DockerEngine;
import io.imagefarm.worker.context.ContextFetcher;
import io.imagefarm.worker.context.ContextLimits;
import io.imagefarm.worker.context.SourcePolicy;
import io.imagefarm.worker.job.BuildJob;
import io.imagefarm.worker.job.ImageRegistry;
import io.imagefarm.worker.job.JobSettings;
import io.imagefarm.worker.job.RetryPolicy;
import io.imagefarm.worker.job.Workspaces;
import io.imagefarm.worker.messaging.JobRunner;
import io.imagefarm.worker.messaging.KafkaRetryQueue;
import io.imagefarm.worker.messaging.KafkaStatusPublisher;
import io.imagefarm.worker.messaging.BuildGate;
import io.imagefarm.worker.messaging.DeliveredOffsets;
import io.imagefarm.worker.messaging.IdleMarkerCommits;
import io.imagefarm.worker.messaging.MarkerCommitter;
import io.imagefarm.worker.messaging.WorkerBeats;
import io.imagefarm.worker.messaging.WorkerMetrics;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one place the worker's plain-Java parts are built from configuration and wired together. */
@ApplicationScoped
public class WorkerBeans {

    @Produces
    @Singleton
    DockerEngine dockerEngine(WorkerConfig config) {
        return new DockerEngine(config.docker().host(), config.docker().apiTimeout());
    }

    void closeEngine(@Disposes DockerEngine engine) throws IOException {
        engine.close();
    }

    @Produces
    @Singleton
    BuildxBuilder buildxBuilder(WorkerConfig config) {
        return new BuildxBuilder(config.docker().cli(), Map.of("DOCKER_HOST", config.docker().host()), config.logTailLines());
    }

    @Produces
    @Singleton
    SourcePolicy sourcePolicy(WorkerConfig config) {
        return new SourcePolicy(config.context().allowedSchemes(), config.context().allowedUrlPatterns());
    }

    @Produces
    @Singleton
    GitSettings gitSettings(WorkerConfig config) {
        return new GitSettings(Secrets.read("imagefarm.worker.git.token", config.git().token(), config.git().tokenFile()),
                config.git().connectTimeout(), config.git().readTimeout());
    }

    @Produces
    @Singleton
    Workspaces workspaces(WorkerConfig config) {
        return new Workspaces(config.workDir());
    }

    @Produces
    @Singleton
    RetryPolicy retryPolicy(WorkerConfig config) {
        return new RetryPolicy(config.initialBackoff(), config.maxBackoff(), config.retryBudget(), config.maxAttempts(),
                config.maxUnexpectedFailures());
    }

    @Produces
    @Singleton
    BuildJob buildJob(WorkerConfig config, RetryPolicy retry, RegistryClient registry, RegistryClientSettings registries,
                      BuildxBuilder builder, DockerEngine engine, WorkerMetrics metrics, SourcePolicy sources,
                      GitSettings git) {
        JobSettings settings = new JobSettings(config.arch(), config.registry(), config.buildTimeout(), retry,
                config.networkHost(), config.workDir(), config.docker().cacheKeepStorageBytes(), config.logTailLines(),
                config.heartbeatInterval(), registries.credentials(),
                JobSettings.builderId(config.arch(), config.instanceId()));
        ContextFetcher fetcher = new ContextFetcher(new ContextLimits(config.context().maxBytes()), sources, git);
        // HEAD with the full Accept list; a tag that is not there is empty
        ImageRegistry images = image -> registry.headManifest(image).map(ManifestHead::digest);
        return new BuildJob(settings, images, fetcher, builder, engine, metrics, clock(config));
    }

    /** Both consumers' decisions: the job with the status publisher and the shutdown gate, and the retry topic. */
    @Produces
    @Singleton
    JobRunner jobRunner(BuildJob job, RetryPolicy retry, KafkaStatusPublisher statuses, KafkaRetryQueue retries,
                        BuildGate gate, WorkerMetrics metrics, WorkerConfig config) {
        return new JobRunner((spec, attempt) -> job.run(spec, attempt, statuses, gate), statuses, retries,
                retry, metrics, clock(config));
    }

    /**
     * The worker's beats on imagefarm.workers, from the shutdown gate's state; started once the start-up
     * checks passed (a worker that refuses to start never beats), ended with a tombstone when the context
     * is destroyed, after the gate let the builds in flight finish.
     */
    @Produces
    @Singleton
    @Startup(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000)
    WorkerBeats workerBeats(WorkerConfig config, BuildGate gate, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        Map<String, Object> settings = new java.util.HashMap<>(kafka);
        settings.put("bootstrap.servers", bootstrap);
        WorkerBeats beats = new WorkerBeats(config.instanceId(), config.arch(), config.beatInterval(), gate::snapshot,
                clock(config), WorkerBeats.producer(settings, config.instanceId()));
        gate.onChange(beats::beatSoon);
        beats.start();
        return beats;
    }

    void closeBeats(@Disposes WorkerBeats beats) {
        beats.close();
    }

    /** What reached the work queue's handler: {@link MarkerCommitter} never commits over it. */
    @Produces
    @Singleton
    DeliveredOffsets deliveredOffsets() {
        return new DeliveredOffsets();
    }

    /**
     * Idle partitions of the work queue committed past their transaction markers, so an idle pool's
     * lag reads 0 and the autoscaler can scale it in; stopped when the context is destroyed.
     */
    @Produces
    @Singleton
    @Startup(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000)
    IdleMarkerCommits idleMarkerCommits(WorkerConfig config, BuildGate gate, DeliveredOffsets delivered,
                                        KafkaClientService clients, WorkerMetrics metrics,
                                        @Identifier("default-kafka-broker") Map<String, Object> kafka,
                                        @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        Map<String, Object> settings = new java.util.HashMap<>(kafka);
        settings.put("bootstrap.servers", bootstrap);
        Duration timeout = Duration.ofSeconds(10);
        MarkerCommitter committer = new MarkerCommitter(
                MarkerCommitter.reader(settings, "marker-commits-" + config.instanceId()), delivered, timeout);
        IdleMarkerCommits commits = new IdleMarkerCommits(committer, clients, config.markerCommitInterval(), timeout,
                () -> gate.snapshot().state() == WorkerBeat.State.STOPPING, metrics);
        commits.start();
        return commits;
    }

    void closeMarkerCommits(@Disposes IdleMarkerCommits commits) {
        commits.close();
    }

    /** The worker's clock (see {@link #clock(WorkerConfig)}), for the shutdown gate's beats. */
    @Produces
    @Singleton
    Clock workerClock(WorkerConfig config) {
        return clock(config);
    }

    /** The worker's clock, shifted by imagefarm.worker.clock-offset (fault drills only). */
    private static Clock clock(WorkerConfig config) {
        return config.clockOffset().isZero() ? Clock.systemUTC() : Clock.offset(Clock.systemUTC(), config.clockOffset());
    }
}
