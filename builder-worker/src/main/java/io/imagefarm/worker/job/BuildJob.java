package io.imagefarm.worker.job;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ClassifiedFailure;
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
import org.jboss.logging.Logger;

/**
 * One attempt at an image-required event, start to finish. Idempotent, because Kafka delivers at least
 * once and a retried event comes back:
 * <ol>
 * <li>the image and cache refs must be those of the claimed version hash on the worker's registry
 * ({@link InputsVerifier#checkRefs}); otherwise FAILED with INPUTS_MISMATCH, no registry is asked;</li>
 * <li>the registry is asked first, in every attempt: an image that is there is reported EXISTS and not
 * built;</li>
 * <li>BUILDING is published and the context fetched; {@link InputsVerifier} recomputes the version hash
 * from the fetched files and checks the image and cache refs (a mismatch is FAILED with
 * INPUTS_MISMATCH, nothing is built); then {@link Builder} builds and pushes;</li>
 * <li>the pushed digest is checked against the registry, the local image removed, BUILT published.</li>
 * </ol>
 * The job never waits between attempts: that would hold the arch's work queue (every other
 * repository's build) for the whole retry budget. A transient failure (its kind's
 * {@link FailureKind#isTransient()}) that {@link RetryPolicy} gives another attempt is published as REQUESTED (with the failure, and when
 * the next attempt is due) and returned as {@link JobResult#retryLater()}: the consumer writes the event
 * to the arch's retry topic, whose consumer runs the next attempt once its backoff has passed. Permanent
 * failures, and transient ones once the attempts or the budget are used up, are published as FAILED.
 * When {@code stop} says abandoned (shutdown past its grace, or the event's partition went to another
 * worker) nothing more is published and
 * {@link BuildAbandonedException} is thrown, so the event is redelivered. The job's folder (with its
 * DOCKER_CONFIG) is removed when the job ends, whatever the outcome.
 *
 * <p>Thread-safe: the work queue's and the retry topic's consumers may each run one job at once.
 */
public final class BuildJob {

    private static final Logger LOG = Logger.getLogger(BuildJob.class);
    private static final int MAX_TAIL_CHARS = 8192;

    private final JobSettings settings;
    private final ImageRegistry registry;
    private final ContextFetcher fetcher;
    private final Builder builder;
    private final LocalImages engine;
    private final JobListener listener;
    private final Clock clock;
    private final InputsVerifier verifier;
    private final Workspaces workspaces;
    private final ScheduledExecutorService heartbeats =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("build-heartbeat"));

    public BuildJob(JobSettings settings, ImageRegistry registry, ContextFetcher fetcher, Builder builder,
                    LocalImages engine, JobListener listener, Clock clock) {
        this.settings = settings;
        this.registry = registry;
        this.fetcher = fetcher;
        this.builder = builder;
        this.engine = engine;
        this.listener = listener;
        this.clock = clock;
        this.verifier = new InputsVerifier(settings.registry(), settings.arch());
        this.workspaces = new Workspaces(settings.workDir());
    }

    /**
     * @param attempt which attempt this is; the retry budget counts from its {@code firstAttemptAt}
     * @return BUILT, EXISTS or FAILED (published), or a retry for later (REQUESTED published)
     * @throws BuildAbandonedException the build was told to stop ({@code stop}); nothing more was published
     */
    public JobResult run(JobSpec job, Attempt attempt, StatusSink sink, StopSignal stop) {
        ImageRequired event = job.event();
        Instant start = clock.instant();
        Instant deadline = settings.retry().deadline(attempt);
        int builds = 0;
        Path workspace = workspaces.create(job.image());
        Heartbeat heartbeat = null;
        try {
            requireNotAbandoned(job, stop);
            try {
                // before any registry is asked: the event's refs must be its claimed hash's on ours
                verifier.checkRefs(event, job.image(), job.cache());
                Optional<String> existing = registry.digestOf(job.image());
                if (existing.isPresent() && existing.get().equals(event.replaces())) {
                    LOG.warnf("%s points at %s, which the pipeline does not stand behind (pushed over): building over it",
                            job.image(), existing.get());
                } else if (existing.isPresent()) {
                    requireNotAbandoned(job, stop);
                    LOG.infof("%s is already in the registry (%s); nothing to build", job.image(), existing.get());
                    sink.publish(ImageStatus.exists(event.image(), event.repository(), event.versionHash(),
                            job.arch().id(), existing.get(), event.eventId(), clock.instant()));
                    return finished(job, new JobResult(BuildState.EXISTS, null, 0, since(start), 0, 0));
                }
                sink.publish(ImageStatus.building(event, clock.instant()));
                heartbeat = Heartbeat.start(heartbeats, settings.heartbeat(),
                        () -> sink.publish(ImageStatus.building(event, clock.instant())));
                Instant fetchStart = clock.instant();
                BuildContext context = fetcher.fetch(event.sourceUrl(), event.repository(), event.commit(),
                        event.context(), event.dockerfile(), Files.createDirectories(workspace.resolve("source")));
                long fetchMillis = since(fetchStart).toMillis();
                LOG.infof("fetched %s at %s: %d files, %d bytes in %d ms", event.sourceUrl(), context.commit(),
                        context.files(), context.sizeBytes(), fetchMillis);
                VerifiedInputs verified = verifier.verify(event, job.image(), job.cache(), context.commit(),
                        context.hashInputs(), dockerfileBytes(context));
                LOG.infof("%s: verified: the files at %s hash to %s (%s)", job.image(), verified.commit(),
                        verified.versionHash(), verified.inputs().versionString());
                ImageMetadata metadata = ImageMetadata.of(event.sourceUrl(), event.repository(), verified,
                        fetcher.sourcePolicy());
                // A stop that came during the fetch is asked for here, not only through the thread's interrupt:
                // the fetch's I/O can swallow that, and buildx would then build and push an event given away.
                requireNotAbandoned(job, stop);
                builds++;
                listener.attempt(job, attempt.number());
                BuildOutcome outcome = build(job, context, verified, metadata, workspace, deadline);
                if (outcome instanceof BuildOutcome.Failed failed) {
                    throw failed.toException();
                }
                BuildOutcome.Pushed pushed = (BuildOutcome.Pushed) outcome;
                verifyPushed(job.image(), pushed.digest());
                removeLocalImage(job.image());
                requireNotAbandoned(job, stop);
                heartbeat = stop(heartbeat);
                sink.publish(ImageStatus.built(event, verified.commit(), verified.inputs(), pushed.digest(),
                        new ImageStatus.BuildTimings(fetchMillis, pushed.buildTime().toMillis(),
                                pushed.pushTime().toMillis()),
                        pushed.cachedSteps(), pushed.totalSteps(), clock.instant()));
                return finished(job, new JobResult(BuildState.BUILT, null, builds, since(start),
                        pushed.cachedSteps(), pushed.totalSteps()));
            } catch (ClassifiedFailure | RegistryException | IOException failure) {
                ClassifiedFailure f = classify(job, failure);
                if (stop.begun()) {
                    LOG.infof("%s: the build failed once it was told to stop (%s; %s); its event is left for "
                            + "another worker", job.image(), stop.reason(), f.getMessage());
                    throw new BuildAbandonedException("build of " + job.image() + " cut short: " + stop.reason());
                }
                heartbeat = stop(heartbeat);
                Instant now = clock.instant();
                boolean transientFailure = f.kind().isTransient();
                Optional<Instant> next = transientFailure ? settings.retry().nextAttemptAt(attempt, now) : Optional.empty();
                if (next.isPresent()) {
                    Duration backoff = settings.retry().backoff(attempt.number());
                    LOG.warnf("%s: %s (%s, transient); attempt %d failed, attempt %d is queued for %s", job.image(),
                            f.getMessage(), f.kind(), attempt.number(), attempt.number() + 1, next.get());
                    listener.retry(job, f.kind(), backoff);
                    sink.publish(ImageStatus.retryQueued(event, attempt.number() + 1, f.kind(), f.getMessage(),
                            next.get(), now));
                    housekeeping(builds);
                    return JobResult.retryLater(f.kind(), builds, since(start), backoff, next.get());
                }
                LOG.errorf("%s FAILED (%s, %s): %s", job.image(), f.kind(),
                        transientFailure ? "transient, " + settings.retry().exhausted(attempt) : "permanent",
                        f.getMessage());
                sink.publish(ImageStatus.failed(event, f.kind(), f.getMessage(), clip(f.logTail()), clock.instant()));
                return finished(job, new JobResult(BuildState.FAILED, f.kind(), builds, since(start), 0, 0));
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

    private BuildOutcome build(JobSpec job, BuildContext context, VerifiedInputs verified, ImageMetadata metadata,
                               Path workspace, Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        Duration timeout = left.compareTo(settings.buildTimeout()) < 0 ? left : settings.buildTimeout();
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            timeout = Duration.ofSeconds(1);
        }
        try (DockerConfigDir dockerConfig = DockerConfigDir.create(workspace, settings.credentials())) {
            return builder.build(new BuildRequest(job.image(), job.cache(), job.arch(), context.root(),
                    context.dockerfile(), labels(metadata, verified), metadata.recorded(), settings.builderId(),
                    settings.hostNetwork(), timeout, dockerConfig.path()));
        }
    }

    /**
     * OCI labels: where the image comes from and what was verified before it was built ({@link ImageMetadata}:
     * source, commit, version hash, repository), and the inputs recomputed from the files there.
     */
    static Map<String, String> labels(ImageMetadata metadata, VerifiedInputs verified) {
        Map<String, String> labels = new LinkedHashMap<>(metadata.recorded());
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
            throw new ClassifiedFailure(FailureKind.REGISTRY_UNAVAILABLE,
                    "pushed " + image + " as " + pushedDigest + " but the registry does not have the tag");
        }
        if (!inRegistry.get().equals(pushedDigest)) {
            throw new ClassifiedFailure(FailureKind.REGISTRY_UNAVAILABLE, "pushed " + image + " as " + pushedDigest
                    + " but the tag resolves to " + inRegistry.get());
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
        housekeeping(result.attempts());
        return result;
    }

    private void housekeeping(int builds) {
        if (settings.cacheKeepBytes() >= 0 && builds > 0) {
            try {
                engine.pruneBuildCache(settings.cacheKeepBytes());
            } catch (RuntimeException e) {
                LOG.warnf("build cache housekeeping failed (the build itself is done): %s", e.getMessage());
            }
        }
    }

    private static ClassifiedFailure classify(JobSpec job, Exception failure) {
        if (failure instanceof ClassifiedFailure f) {
            return f;
        }
        if (failure instanceof RegistryException e) {
            // 401/403 will be answered again; anything else from our own registry (5xx, 429, no answer, or
            // an answer that makes no sense for a ref the worker verified) is retried within the budget
            FailureKind kind = e.isAuthFailure() ? FailureKind.REGISTRY_AUTH : FailureKind.REGISTRY_UNAVAILABLE;
            return new ClassifiedFailure(kind, e.getMessage(), "", e);
        }
        return new ClassifiedFailure(FailureKind.ENGINE_UNAVAILABLE,
                "local I/O failed while building " + job.image() + ": " + failure.getMessage(), "", failure);
    }

    private static void requireNotAbandoned(JobSpec job, StopSignal stop) {
        if (stop.abandoned()) {
            throw new BuildAbandonedException("build of " + job.image() + " abandoned: " + stop.reason());
        }
    }

    private Duration since(Instant start) {
        return Duration.between(start, clock.instant());
    }

    static String clip(String tail) {
        return tail.length() <= MAX_TAIL_CHARS ? tail : tail.substring(tail.length() - MAX_TAIL_CHARS);
    }
}
