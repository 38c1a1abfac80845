package io.imagefarm.worker;

import io.imagefarm.core.event.Topics;
import io.imagefarm.worker.build.BuildHostException;
import io.imagefarm.worker.build.BuildxBuilder;
import io.imagefarm.worker.build.DockerEngine;
import io.imagefarm.worker.build.OrphanBuilds;
import io.imagefarm.worker.build.Workspaces;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.context.GitSettings;
import io.imagefarm.worker.context.SourcePolicy;
import io.imagefarm.worker.messaging.Channels;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Refuses to start a worker that could not do its job: no engine, no buildx, an arch the builder
 * cannot build, an engine without the containerd image store (no registry cache export), or Kafka
 * settings that would let a long build look like a dead consumer. Before anything consumes, it removes
 * the job folders a previous life of the worker left behind: they may hold registry credentials.
 */
@ApplicationScoped
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class);
    private static final String IN = "mp.messaging.incoming." + Channels.IMAGE_REQUIRED + ".";

    @Inject
    WorkerConfig config;
    @Inject
    DockerEngine engine;
    @Inject
    BuildxBuilder buildx;
    @Inject
    Config mpConfig;
    @Inject
    Workspaces workspaces;
    @Inject
    SourcePolicy sources;
    @Inject
    GitSettings git;

    /** Before the Kafka connector starts (SmallRye starts it at priority LIBRARY_BEFORE). */
    void removeLeftoverJobFolders(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        List<Long> killed = OrphanBuilds.killLeftovers(workspaces.workDir());
        if (!killed.isEmpty()) {
            LOG.warnf("killed %d build process(es) a previous run of this worker left running: pids %s", killed.size(), killed);
        }
        List<Path> removed = workspaces.removeLeftovers();
        if (!removed.isEmpty()) {
            LOG.infof("removed %d job folder(s) a previous run left in %s: %s", removed.size(), workspaces.workDir(),
                    removed.stream().map(p -> p.getFileName().toString()).toList());
        }
    }

    void onStart(@Observes StartupEvent event) {
        checkChannel();
        DockerEngine.EngineFacts facts;
        try {
            engine.ping();
            facts = engine.facts();
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
        LOG.infof("buildx: %s", buildx.buildxVersion());
        buildx.requirePlatform(config.arch());
        LOG.infof("sources: %s; git: %s", sources, git);
        LOG.infof("builder-worker for %s ready: topic %s, group %s, pushing to %s", config.arch().platform(),
                Topics.imageRequired(config.arch()), groupId(), config.registry());
    }

    /** The channel must consume this arch's topic with this arch's group, and outlast the longest job. */
    void checkChannel() {
        expect("topic", Topics.imageRequired(config.arch()));
        expect("group.id", groupId());
        expect("dead-letter-queue.topic", Topics.imageRequiredDeadLetter(config.arch()));
        expect("commit-strategy", "throttled");
        expect("failure-strategy", "dead-letter-queue");
        long maxAgeMs = mpConfig.getValue(IN + "throttled.unprocessed-record-max-age.ms", Long.class);
        Duration maxAge = Duration.ofMillis(maxAgeMs);
        // A record polled while another builds waits up to one job before its own starts.
        Duration needed = config.retryBudget().multipliedBy(2);
        if (maxAgeMs <= 0 || maxAge.compareTo(needed) <= 0) {
            throw new IllegalStateException("throttled.unprocessed-record-max-age.ms is " + maxAge + ": it must exceed "
                    + "twice the retry budget (" + needed + "), or a long build marks the worker unhealthy");
        }
        if (config.buildTimeout().compareTo(config.retryBudget()) > 0) {
            throw new IllegalStateException("imagefarm.worker.build-timeout (" + config.buildTimeout()
                    + ") must not exceed imagefarm.worker.retry-budget (" + config.retryBudget() + ")");
        }
    }

    private String groupId() {
        return "builder-" + config.arch().id();
    }

    private void expect(String key, String value) {
        String actual = mpConfig.getOptionalValue(IN + key, String.class).orElse(null);
        if (!value.equals(actual)) {
            throw new IllegalStateException(IN + key + " is '" + actual + "'; a " + config.arch().id()
                    + " worker needs '" + value + "'");
        }
    }
}
