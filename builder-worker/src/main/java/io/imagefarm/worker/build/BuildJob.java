package io.imagefarm.worker.build;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.worker.context.BuildContext;
import io.imagefarm.worker.context.ContextFetcher;
import io.imagefarm.worker.verify.InputsVerifier;
import io.imagefarm.worker.verify.VerifiedInputs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * One image-required event, start to finish. Idempotent, because Kafka delivers at least once:
 * <ol>
 * <li>the image and cache refs must be those of the claimed version hash on the worker's registry
 * ({@link InputsVerifier#checkRefs}); otherwise FAILED with INPUTS_MISMATCH, no registry is asked;</li>
 * <li>the registry is asked first, and again before every attempt: an image that is there is
 * reported EXISTS and not built;</li>
 * <li>BUILDING is published and the context fetched; {@link InputsVerifier} recomputes the version hash
 * from the fetched files and checks the image and cache refs (a mismatch is FAILED with
 * INPUTS_MISMATCH, nothing is built); then {@link Builder} builds and pushes;</li>
 * <li>the pushed digest is checked against the registry, the local image removed, BUILT published.</li>
 * </ol>
 * Transient failures ({@link ClassifiedFailure#retryable()}) are retried with exponential backoff
 * while the retry budget lasts; permanent ones are published as FAILED at once. When
 * {@code abandoned} turns true (shutdown past its grace) nothing more is published and
 * {@link BuildAbandonedException} is thrown, so the event is redelivered. The job's folder (with its
 * DOCKER_CONFIG) is removed when the job ends, whatever the outcome.
 */
public final class BuildJob {

    private static final Logger LOG = Logger.getLogger(BuildJob.class);
    private static final int MAX_TAIL_CHARS = 8192;

    /** Waits between attempts; tests replace it. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final JobSettings settings;
    private final ImageRegistry registry;
    private final ContextFetcher fetcher;
    private final Builder builder;
    private final LocalImages engine;
    private final JobListener listener;
    private final Clock clock;
    private final Sleeper sleeper;
    private final InputsVerifier verifier;
    private final Workspaces workspaces;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "build-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public BuildJob(JobSettings settings, ImageRegistry registry, ContextFetcher fetcher, Builder builder,
                    LocalImages engine, JobListener listener, Clock clock, Sleeper sleeper) {
        this.settings = settings;
        this.registry = registry;
        this.fetcher = fetcher;
        this.builder = builder;
        this.engine = engine;
        this.listener = listener;
        this.clock = clock;
        this.sleeper = sleeper;
        this.verifier = new InputsVerifier(settings.registry(), settings.arch());
        this.workspaces = new Workspaces(settings.workDir());
    }

    public JobResult run(JobSpec job, StatusSink sink, BooleanSupplier abandoned) {
        ImageRequired event = job.event();
        Instant start = clock.instant();
        Instant deadline = start.plus(settings.retryBudget());
        Duration backoff = settings.initialBackoff();
        boolean buildingPublished = false;
        BuildContext context = null;
        boolean refsChecked = false;
        VerifiedInputs verified = null;
        long fetchMillis = 0;
        int attempts = 0;
        Path workspace = workspaces.create(job.image());
        Heartbeat heartbeat = null;
        try {
            while (true) {
                requireNotAbandoned(job, abandoned);
                try {
                    if (!refsChecked) {
                        // before any registry is asked: the event's refs must be its claimed hash's on ours
                        verifier.checkRefs(event, job.image(), job.cache());
                        refsChecked = true;
                    }
                    Optional<String> existing = registry.digestOf(job.image());
                    if (existing.isPresent()) {
                        requireNotAbandoned(job, abandoned);
                        LOG.infof("%s is already in the registry (%s); nothing to build", job.image(), existing.get());
                        heartbeat = stop(heartbeat);
                        sink.publish(ImageStatus.exists(event.image(), event.repository(), event.versionHash(),
                                job.arch().id(), existing.get(), event.eventId(), clock.instant()));
                        return finished(job, new JobResult(BuildState.EXISTS, null, attempts, since(start), 0, 0));
                    }
                    if (!buildingPublished) {
                        sink.publish(ImageStatus.building(event, clock.instant()));
                        buildingPublished = true;
                        heartbeat = Heartbeat.start(heartbeats, settings.heartbeat(),
                                () -> sink.publish(ImageStatus.building(event, clock.instant())));
                    }
                    if (context == null) {
                        Instant fetchStart = clock.instant();
                        context = fetcher.fetch(event.sourceUrl(), event.repository(), event.commit(), event.context(),
                                event.dockerfile(), Files.createDirectories(workspace.resolve("source")));
                        fetchMillis = since(fetchStart).toMillis();
                        LOG.infof("fetched %s at %s: %d files, %d bytes in %d ms", event.sourceUrl(), context.commit(),
                                context.files(), context.sizeBytes(), fetchMillis);
                    }
                    if (verified == null) {
                        verified = verifier.verify(event, job.image(), job.cache(), context.commit(),
                                context.hashInputs(), dockerfileBytes(context));
                        LOG.infof("%s: verified: the files at %s hash to %s (%s)", job.image(), verified.commit(),
                                verified.versionHash(), verified.inputs().versionString());
                    }
                    attempts++;
                    listener.attempt(job, attempts);
                    BuildOutcome outcome = build(job, context, verified, workspace, deadline);
                    if (outcome instanceof BuildOutcome.Failed failed) {
                        throw failed.toException();
                    }
                    BuildOutcome.Pushed pushed = (BuildOutcome.Pushed) outcome;
                    verifyPushed(job.image(), pushed.digest());
                    removeLocalImage(job.image());
                    requireNotAbandoned(job, abandoned);
                    heartbeat = stop(heartbeat);
                    sink.publish(ImageStatus.built(event, verified.commit(), verified.inputs(), pushed.digest(),
                            new ImageStatus.BuildTimings(fetchMillis, pushed.buildTime().toMillis(),
                                    pushed.pushTime().toMillis()),
                            pushed.cachedSteps(), pushed.totalSteps(), clock.instant()));
                    return finished(job, new JobResult(BuildState.BUILT, null, attempts, since(start),
                            pushed.cachedSteps(), pushed.totalSteps()));
                } catch (ClassifiedFailure | RegistryException | IOException failure) {
                    ClassifiedFailure f = classify(job, failure);
                    requireNotAbandoned(job, abandoned);
                    Instant now = clock.instant();
                    if (f.retryable() && now.plus(backoff).isBefore(deadline)) {
                        LOG.warnf("%s: %s (%s, transient); attempt %d, retrying in %s", job.image(), f.getMessage(),
                                f.kind(), attempts, backoff);
                        listener.retry(job, f.kind(), backoff);
                        pause(job, backoff);
                        backoff = backoff.multipliedBy(2);
                        if (backoff.compareTo(settings.maxBackoff()) > 0) {
                            backoff = settings.maxBackoff();
                        }
                        continue;
                    }
                    LOG.errorf("%s FAILED (%s, %s): %s", job.image(), f.kind(),
                            f.retryable() ? "retry budget of " + settings.retryBudget() + " used up" : "permanent",
                            f.getMessage());
                    heartbeat = stop(heartbeat);
                    sink.publish(ImageStatus.failed(event, f.kind(), f.getMessage(), clip(f.logTail()), clock.instant()));
                    return finished(job, new JobResult(BuildState.FAILED, f.kind(), attempts, since(start), 0, 0));
                }
            }
        } finally {
            stop(heartbeat);
            workspaces.delete(workspace);
        }
    }

    private static Heartbeat stop(Heartbeat heartbeat) {
        if (heartbeat != null) {
            heartbeat.close();
        }
        return null;
    }

    private BuildOutcome build(JobSpec job, BuildContext context, VerifiedInputs verified, Path workspace,
                               Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        Duration timeout = left.compareTo(settings.buildTimeout()) < 0 ? left : settings.buildTimeout();
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            timeout = Duration.ofSeconds(1);
        }
        try (DockerConfigDir dockerConfig = DockerConfigDir.create(workspace, settings.credentials())) {
            return builder.build(new BuildRequest(job.image(), job.cache(), job.arch(), context.root(),
                    context.dockerfile(), labels(job.event().sourceUrl(), verified), settings.hostNetwork(), timeout,
                    dockerConfig.path()));
        }
    }

    /**
     * OCI labels: where the image comes from and what was verified before it was built: the commit, the
     * version hash and the inputs recomputed from the files there. (The source URL passed the worker's
     * URL policy, so it carries no user info.)
     */
    static Map<String, String> labels(String sourceUrl, VerifiedInputs verified) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.source", sourceUrl);
        labels.put("org.opencontainers.image.revision", verified.commit());
        labels.put("io.imagefarm.version-hash", verified.versionHash().value());
        labels.put("io.imagefarm.version-string", verified.inputs().versionString());
        verified.inputs().asMap().forEach((k, v) -> labels.put("io.imagefarm.input."
                + k.toLowerCase(Locale.ROOT).replace('_', '-'), v));
        return labels;
    }

    /**
     * The Dockerfile buildx would be given, for the comparison with the hashed one: at most one byte more
     * than a hash input may have, so a huge file is never read whole (and cannot match).
     */
    private static byte[] dockerfileBytes(BuildContext context) throws IOException {
        try (InputStream in = Files.newInputStream(context.dockerfile())) {
            return in.readNBytes(ContextFetcher.MAX_HASH_INPUT_BYTES + 1);
        }
    }

    /** The tag must now resolve to what buildx pushed; anything else is a race or a broken registry. */
    private void verifyPushed(ImageRef image, String pushedDigest) {
        Optional<String> inRegistry = registry.digestOf(image);
        if (inRegistry.isEmpty()) {
            throw new ClassifiedFailure(FailureKind.REGISTRY_UNAVAILABLE, true,
                    "pushed " + image + " as " + pushedDigest + " but the registry does not have the tag", "", null);
        }
        if (!inRegistry.get().equals(pushedDigest)) {
            throw new ClassifiedFailure(FailureKind.REGISTRY_UNAVAILABLE, true, "pushed " + image + " as " + pushedDigest
                    + " but the tag resolves to " + inRegistry.get(), "", null);
        }
    }

    private void removeLocalImage(ImageRef image) {
        try {
            engine.removeLocalImage(image);
        } catch (RuntimeException e) {
            LOG.warnf("%s is pushed, but its local copy could not be removed: %s", image, e.getMessage());
        }
    }

    private JobResult finished(JobSpec job, JobResult result) {
        listener.finished(job, result);
        if (settings.cacheKeepBytes() >= 0 && result.attempts() > 0) {
            try {
                engine.pruneBuildCache(settings.cacheKeepBytes());
            } catch (RuntimeException e) {
                LOG.warnf("build cache housekeeping failed (the build itself is done): %s", e.getMessage());
            }
        }
        return result;
    }

    private static ClassifiedFailure classify(JobSpec job, Exception failure) {
        if (failure instanceof ClassifiedFailure f) {
            return f;
        }
        if (failure instanceof RegistryException e) {
            if (e.isAuthFailure()) {
                return new ClassifiedFailure(FailureKind.REGISTRY_AUTH, false, e.getMessage(), "", e);
            }
            return new ClassifiedFailure(FailureKind.REGISTRY_UNAVAILABLE, e.isTransient(), e.getMessage(), "", e);
        }
        return new ClassifiedFailure(FailureKind.ENGINE_UNAVAILABLE, true,
                "local I/O failed while building " + job.image() + ": " + failure.getMessage(), "", failure);
    }

    private void pause(JobSpec job, Duration backoff) {
        try {
            sleeper.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildAbandonedException("retry of " + job.image() + " abandoned: the worker is shutting down");
        }
    }

    private static void requireNotAbandoned(JobSpec job, BooleanSupplier abandoned) {
        if (abandoned.getAsBoolean()) {
            throw new BuildAbandonedException("build of " + job.image() + " abandoned: the worker is shutting down");
        }
    }

    private Duration since(Instant start) {
        return Duration.between(start, clock.instant());
    }

    static String clip(String tail) {
        return tail.length() <= MAX_TAIL_CHARS ? tail : tail.substring(tail.length() - MAX_TAIL_CHARS);
    }
}
