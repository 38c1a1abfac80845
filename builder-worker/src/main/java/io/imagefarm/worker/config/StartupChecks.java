package io.imagefarm.worker.config;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.event.Topics;
import io.imagefarm.git.GitSettings;
import io.imagefarm.worker.buildx.BuildHostException;
import io.imagefarm.worker.buildx.BuildxBuilder;
import io.imagefarm.worker.buildx.DockerEngine;
import io.imagefarm.worker.buildx.OrphanBuilds;
import io.imagefarm.worker.context.SourcePolicy;
import io.imagefarm.worker.job.Workspaces;
import io.imagefarm.worker.messaging.Channels;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Refuses to start a worker that could not do its job: settings that contradict each other, Kafka
 * settings that would send its work, retries or poison to another arch's topics or let a long build look
 * like a dead consumer, no engine, no buildx, an arch the builder cannot build, or an engine without the
 * containerd image store (no registry cache export). Single values are checked earlier, as
 * {@link WorkerConfig} is mapped. Before anything consumes, it also removes what a previous life of the
 * worker left behind: its build processes and its job folders, which may hold registry credentials.
 * The build host's checks (the engine's API, the buildx CLI) begin then too, each on a thread of its
 * own, so the second or so they take overlaps the rest of the start (a new worker is scale-out
 * latency); the start still waits for them and fails on them.
 */
@ApplicationScoped
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class);
    private static final String IN = "mp.messaging.incoming." + Channels.IMAGE_REQUIRED + ".";
    private static final String RETRY_IN = "mp.messaging.incoming." + Channels.IMAGE_REQUIRED_RETRY + ".";
    private static final String RETRY_OUT = "mp.messaging.outgoing." + Channels.IMAGE_REQUIRED_RETRY_OUT + ".";

    private final WorkerConfig config;
    private final Config mpConfig;
    private final DockerEngine engine;
    private final BuildxBuilder buildx;
    private final Workspaces workspaces;
    private final SourcePolicy sources;
    private final GitSettings git;
    private CompletableFuture<DockerEngine.EngineFacts> engineCheck;
    private CompletableFuture<String> buildxCheck;

    StartupChecks(WorkerConfig config, Config mpConfig, DockerEngine engine, BuildxBuilder buildx, Workspaces workspaces,
                  SourcePolicy sources, GitSettings git) {
        this.config = config;
        this.mpConfig = mpConfig;
        this.engine = engine;
        this.buildx = buildx;
        this.workspaces = workspaces;
        this.sources = sources;
        this.git = git;
    }

    /** Before the Kafka connector starts (SmallRye starts it at priority LIBRARY_BEFORE). */
    void beforeConsuming(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        checkSettings();
        List<Long> killed = OrphanBuilds.killLeftovers(workspaces.workDir());
        if (!killed.isEmpty()) {
            LOG.warnf("killed %d build process(es) a previous run of this worker left running: pids %s", killed.size(), killed);
        }
        List<Path> removed = workspaces.removeLeftovers();
        if (!removed.isEmpty()) {
            LOG.infof("removed %d job folder(s) a previous run left in %s: %s", removed.size(), workspaces.workDir(),
                    removed.stream().map(p -> p.getFileName().toString()).toList());
        }
        engineCheck = onThread("engine-check", () -> {
            engine.ping();
            return engine.facts();
        });
        buildxCheck = onThread("buildx-check", () -> {
            String version = buildx.buildxVersion();
            buildx.requirePlatform(config.arch());
            return version;
        });
    }

    void checkBuildHost(@Observes StartupEvent event) {
        DockerEngine.EngineFacts facts;
        try {
            facts = await(engineCheck);
        } catch (RuntimeException e) {
            throw new BuildHostException("the Docker Engine at " + config.docker().host() + " does not answer: " + e.getMessage());
        }
        LOG.infof("Docker Engine %s (API %s, %s/%s, storage %s, containerd image store: %s)", facts.version(),
                facts.apiVersion(), facts.os(), facts.arch(), facts.storageDriver(), facts.containerdImageStore());
        if (!facts.containerdImageStore()) {
            throw new BuildHostException("the Docker Engine does not use the containerd image store, so the docker "
                    + "buildx driver cannot export a registry cache; set {\"features\":{\"containerd-snapshotter\":true}} "
                    + "in /etc/docker/daemon.json");
        }
        LOG.infof("buildx: %s", await(buildxCheck));
        LOG.infof("sources: %s; git: %s", sources, git);
        LOG.infof("builder-worker for %s ready: topic %s, group %s, retries on %s (group %s-retry), instance %s, "
                + "pushing to %s", config.arch().platform(), Topics.imageRequired(config.arch()), groupId(),
                Topics.imageRequiredRetry(config.arch()), groupId(), config.instanceId(), config.registry());
    }

    private static <T> CompletableFuture<T> onThread(String name, Supplier<T> check) {
        return CompletableFuture.supplyAsync(check, task -> DaemonThreads.thread(name, task).start());
    }

    /** The check's result, or what it threw, as it threw it. */
    private static <T> T await(CompletableFuture<T> check) {
        try {
            return check.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Both incoming channels must consume this arch's topics with this arch's groups and static member
     * ids, park poison in this arch's dead-letter topic, and outlast the longest job; the retry records
     * must go to this arch's retry topic. The retry settings must fit together.
     */
    private void checkSettings() {
        expect(IN, "topic", Topics.imageRequired(config.arch()));
        expect(IN, "group.id", groupId());
        expect(IN, "group.instance.id", config.instanceId() + "-" + config.arch().id());
        expect(RETRY_IN, "topic", Topics.imageRequiredRetry(config.arch()));
        expect(RETRY_IN, "group.id", Topics.workerRetryGroup(config.arch()));
        expect(RETRY_IN, "group.instance.id", config.instanceId() + "-" + config.arch().id() + "-retry");
        expect(RETRY_OUT, "topic", Topics.imageRequiredRetry(config.arch()));
        expect(RETRY_OUT, "acks", "all");
        expect(RETRY_OUT, "enable.idempotence", "true");
        for (String in : List.of(IN, RETRY_IN)) {
            expect(in, "dead-letter-queue.topic", Topics.imageRequiredDeadLetter(config.arch()));
            expect(in, "commit-strategy", "throttled");
            expect(in, "failure-strategy", "dead-letter-queue");
        }
        if (config.buildTimeout().compareTo(config.retryBudget()) > 0) {
            throw new IllegalStateException("imagefarm.worker.build-timeout (" + config.buildTimeout()
                    + ") must not exceed imagefarm.worker.retry-budget (" + config.retryBudget() + ")");
        }
        if (config.initialBackoff().compareTo(config.maxBackoff()) > 0) {
            throw new IllegalStateException("imagefarm.worker.initial-backoff (" + config.initialBackoff()
                    + ") must not exceed imagefarm.worker.max-backoff (" + config.maxBackoff() + ")");
        }
        // The clock starts at poll time, and one record may wait behind the one in progress: a job (one
        // attempt, its build cut to what is left of the retry budget) on the work queue; on the retry
        // topic, a backoff and then a job.
        requireMaxAge(IN, config.retryBudget().multipliedBy(2), "twice the retry budget");
        requireMaxAge(RETRY_IN, config.maxBackoff().plus(config.retryBudget()).multipliedBy(2),
                "twice (max-backoff + retry budget)");
    }

    private void requireMaxAge(String channel, Duration needed, String what) {
        long maxAgeMs = mpConfig.getValue(channel + "throttled.unprocessed-record-max-age.ms", Long.class);
        Duration maxAge = Duration.ofMillis(maxAgeMs);
        if (maxAgeMs <= 0 || maxAge.compareTo(needed) <= 0) {
            throw new IllegalStateException(channel + "throttled.unprocessed-record-max-age.ms is " + maxAge
                    + ": it must exceed " + what + " (" + needed + "), or a long job marks the worker unhealthy");
        }
    }

    private String groupId() {
        return "builder-" + config.arch().id();
    }

    private void expect(String channel, String key, String value) {
        String actual = mpConfig.getOptionalValue(channel + key, String.class).orElse(null);
        if (!value.equals(actual)) {
            throw new IllegalStateException(channel + key + " is '" + actual + "'; a " + config.arch().id()
                    + " worker needs '" + value + "'");
        }
    }
}
