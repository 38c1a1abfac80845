package io.imagefarm.worker.config;

import io.imagefarm.core.image.Arch;
import io.imagefarm.registry.config.Checked;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the worker reads from configuration; see README for the env var names. Values the worker
 * cannot run with fail the start, naming the key ({@link Checked}); how values must fit together is
 * checked by {@link StartupChecks}.
 */
@ConfigMapping(prefix = "imagefarm.worker")
public interface WorkerConfig {

    /** The arch this worker builds: selects the topic and the consumer group {@code builder-<arch>}. */
    Arch arch();

    /**
     * The registry this worker pushes to (host[:port], as the hasher's {@code imagefarm.hasher.registry}).
     * An event's image must be {@code <registry>/<repository>:builder-<hash>-<arch>} and its cache
     * {@code <registry>/<repository>:buildcache-<arch>}, or nothing is built.
     */
    @WithConverter(Checked.RegistryHost.class)
    @WithDefault("ghcr.io")
    String registry();

    /** One {@code buildx build} attempt. */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT30M")
    Duration buildTimeout();

    /**
     * All attempts of one event, backoffs included, counted from the first attempt: a transient failure
     * gets another attempt (through the retry topic) only if its backoff ends within the budget.
     */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT45M")
    Duration retryBudget();

    /** The backoff after the first failed attempt; it doubles with each attempt, up to {@link #maxBackoff}. */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT5S")
    Duration initialBackoff();

    /**
     * The longest backoff. A retried image is REQUESTED meanwhile, so the hasher's in-flight-ttl
     * (30 min) must exceed it, or the hasher requests the image again while its retry waits.
     */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT1M")
    Duration maxBackoff();

    /** Attempts of one event at most (the first included); then a transient failure is FAILED. */
    @WithConverter(Checked.Positive.class)
    @WithDefault("8")
    int maxAttempts();

    /**
     * Attempts of one event that may fail unexpectedly (nothing classified the failure: a bug) before
     * the event is FAILED with INTERNAL_ERROR and parked in the dead-letter topic.
     */
    @WithConverter(Checked.Positive.class)
    @WithDefault("3")
    int maxUnexpectedFailures();

    /**
     * This worker's stable name for Kafka's static group membership ({@code group.instance.id} of both
     * consumers is {@code <instance-id>-<arch>} and {@code <instance-id>-<arch>-retry}): restarted with the
     * same name, the worker gets its partitions back at once, without a rebalance. Must differ between
     * the live workers of an arch (two members with one id fence each other). Defaults to
     * {@code $HOSTNAME}, else a random id per start (no fast restart, but never a clash). Also the key of
     * the worker's beats on {@code imagefarm.workers}: 1 to 128 of {@code A-Z a-z 0-9 . _ -}.
     */
    @WithConverter(Checked.InstanceId.class)
    String instanceId();

    /**
     * On SIGTERM (an autoscaler's scale-in, a rollout), how long the build in flight may still take
     * before it is abandoned: its event is left uncommitted and another worker of the arch builds it.
     * A pod's terminationGracePeriodSeconds (compose: stop_grace_period) must be longer.
     */
    @WithConverter(Checked.NonNegativeDuration.class)
    @WithDefault("PT10M")
    Duration shutdownGrace();

    /**
     * How often an idle partition of the work queue is committed past the transaction markers after its
     * last event, so its lag (end offset minus committed offset, what KEDA's Kafka scaler reads) is 0
     * when no event waits. A partition stays at lag 1 for up to this long after its last event.
     */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT30S")
    Duration markerCommitInterval();

    /** {@code --network host} for RUN steps: for engines without a default bridge. */
    @WithDefault("false")
    boolean networkHost();

    /** Per-build workspaces (source, context, DOCKER_CONFIG) live here and are deleted after each build. */
    @WithDefault("${java.io.tmpdir}/imagefarm-worker")
    Path workDir();

    /**
     * While a build runs, BUILDING is published again this often; the hasher treats a build as
     * abandoned after three missed beats (its imagefarm.hasher.heartbeat-interval must match).
     */
    @WithConverter(Checked.PositiveDuration.class)
    @WithDefault("PT30S")
    Duration heartbeatInterval();

    /**
     * The worker beats on {@code imagefarm.workers} this often (IDLE, BUILDING with its images, STOPPING
     * after SIGTERM), and at once when that changes; the hasher's dashboard shows it alive while its last
     * beat is younger than three intervals. 0.5 s to 5 min.
     */
    @WithConverter(Checked.BeatInterval.class)
    @WithDefault("PT5S")
    Duration beatInterval();

    /**
     * Shifts this worker's clock (e.g. {@code -PT10M}): for fault drills, to show that the pipeline never
     * compares one host's clock with another's (statuses are ordered by the topic, ages measured by the
     * reader). Leave at zero in production.
     */
    @WithConverter(Checked.ClockOffset.class)
    @WithDefault("PT0S")
    Duration clockOffset();

    Context context();

    Git git();

    Docker docker();

    /** Lines of build output a FAILED status carries. */
    @WithConverter(Checked.NonNegative.class)
    @WithDefault("40")
    int logTailLines();

    /** Readiness is DOWN when the work directory's file system has less free space than this. */
    @WithConverter(Checked.NonNegativeBytes.class)
    @WithDefault("2147483648")
    long minFreeDiskBytes();

    interface Context {
        /** Total file content of one build context. */
        @WithConverter(Checked.PositiveBytes.class)
        @WithDefault("536870912")
        long maxBytes();

        /** URL schemes a sourceUrl may use. */
        @WithDefault("https")
        Set<String> allowedSchemes();

        /**
         * Patterns a sourceUrl must match (one of them), besides using an allowed scheme.
         * {@code {repository}} stands for the event's repository (OWNER/NAME), {@code *} for any
         * characters within one path segment, {@code **} for any characters across segments. Scheme
         * and host compare case-insensitively, the rest exactly.
         */
        @WithDefault("https://github.com/{repository}.git")
        List<String> allowedUrlPatterns();
    }

    /** How the worker talks to git remotes (JGit). */
    interface Git {
        /** A token for private repositories, sent as HTTP basic auth (user {@code x-access-token}), never in the URL. */
        Optional<String> token();

        /** A file holding the token (a mounted secret); wins over {@code token}. */
        Optional<Path> tokenFile();

        /** How long connecting to a git remote may take. */
        @WithConverter(Checked.PositiveDuration.class)
        @WithDefault("PT30S")
        Duration connectTimeout();

        /** How long a git remote may stay silent while it is read from (per read, not the whole fetch). */
        @WithConverter(Checked.PositiveDuration.class)
        @WithDefault("PT2M")
        Duration readTimeout();
    }

    interface Docker {
        @WithDefault("unix:///var/run/docker.sock")
        String host();

        /** The docker CLI that runs buildx. */
        @WithDefault("docker")
        String cli();

        /** After each build the build cache is pruned to this many bytes; negative turns pruning off. */
        @WithDefault("21474836480")
        long cacheKeepStorageBytes();

        @WithConverter(Checked.PositiveDuration.class)
        @WithDefault("PT2M")
        Duration apiTimeout();
    }
}
