package io.imagefarm.hasher.config;

import io.imagefarm.auth.AuthConfig;
import io.imagefarm.auth.AuthSettings;
import io.imagefarm.core.auth.AccessPolicy;
import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.secret.Secrets;
import io.imagefarm.core.signature.Signer;
import io.imagefarm.core.signature.SigningKey;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.signature.RegistryContentStore;
import io.imagefarm.git.GitSettings;
import io.imagefarm.hasher.board.BuildBoard;
import io.imagefarm.hasher.board.FarmBoard;
import io.imagefarm.hasher.board.JanitorRuns;
import io.imagefarm.hasher.messaging.FarmWatch;
import io.imagefarm.hasher.registry.RegistryAdapter;
import io.imagefarm.hasher.resolve.ChangeWaiters;
import io.imagefarm.hasher.resolve.ImageLocks;
import io.imagefarm.hasher.resolve.ImageResolver;
import io.imagefarm.hasher.resolve.RequestDecider;
import io.imagefarm.hasher.resolve.IndexAssembler;
import io.imagefarm.hasher.resolve.Publisher;
import io.imagefarm.hasher.resolve.RepositoryAllowList;
import io.imagefarm.hasher.resolve.StatusBook;
import io.imagefarm.hasher.source.GitRemoteSource;
import io.imagefarm.hasher.source.GithubContentsSource;
import io.imagefarm.hasher.source.RepositorySource;
import io.imagefarm.hasher.source.SharedFetchSource;
import io.imagefarm.hasher.source.SourceUrlPolicy;
import io.imagefarm.hasher.webhook.DeliveryLog;
import io.imagefarm.hasher.webhook.WebhookSignature;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Wires the plain-Java domain to config and adapters. */
@ApplicationScoped
public class HasherBeans {

    private static final Logger LOG = Logger.getLogger(HasherBeans.class);

    /** Index assembly: two at a time, from a bounded queue (IndexAssembler deduplicates by hash). */
    private final ExecutorService assemblerPool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(IndexAssembler.QUEUE_CAPACITY), DaemonThreads.named("index-assembler"));

    private volatile ExecutorService registryLookups;

    /** Revalidation HEADs every image the book holds: its own thread, so it never delays housekeeping or index retries. */
    private final ScheduledExecutorService revalidation =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("registry-revalidation"));

    private final BuildBoard board = new BuildBoard();

    /** The farm view's admin look-ups: their own thread, never a request's. */
    private final ScheduledExecutorService farmWatching =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("farm-watch"));

    private final ScheduledExecutorService housekeeping =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hasher-housekeeping"));

    @Produces
    @Singleton
    StatusBook statusBook(HasherConfig config, MeterRegistry metrics) {
        ChangeWaiters waiters = new ChangeWaiters(config.await().maxWaiters());
        Gauge.builder("imagefarm.hasher.await.waiters", waiters, ChangeWaiters::active)
                .description("requests waiting on /wait now; bounded by imagefarm.hasher.await.max-waiters").register(metrics);
        StatusBook book = new StatusBook(waiters);
        // First listener, from the first record on: the board must see the whole replay.
        book.onChange(status -> board.onStatus(status, Instant.now()));
        Gauge.builder("imagefarm.hasher.status.refused", book, StatusBook::refusedTransitions)
                .description("statuses refused as steps the status state machine does not allow").register(metrics);
        Gauge.builder("imagefarm.hasher.status.listener_failures", book, StatusBook::listenerFailures)
                .description("statuses a listener (index assembler, dashboard) failed on; the book kept them").register(metrics);
        Gauge.builder("imagefarm.hasher.book.size", book, StatusBook::size)
                .description("statuses held in memory; bounded by imagefarm.hasher.book-window").register(metrics);
        Duration window = config.bookWindow();
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                int forgotten = book.forgetHashesNotRequestedWithin(window);
                if (forgotten > 0) {
                    LOG.infof("status book: forgot %d statuses of hashes not requested within %s", forgotten, window);
                }
            } catch (RuntimeException e) {
                LOG.warnf(e, "status book housekeeping failed; tried again in 10 minutes");
            }
        }, 1, 10, TimeUnit.MINUTES);
        return book;
    }

    /** The dashboard's memory beyond the latest statuses: timelines and recent builds. */
    @Produces
    @Singleton
    BuildBoard buildBoard() {
        return board;
    }

    @Produces
    @Singleton
    JanitorRuns janitorRuns() {
        return new JanitorRuns();
    }

    /** The dashboard's farm view: the workers' beats (WorkerBeatConsumer), queue lags and brokers (FarmWatch). */
    @Produces
    @Singleton
    FarmBoard farmBoard(MeterRegistry metrics) {
        FarmBoard farm = new FarmBoard();
        Gauge.builder("imagefarm.hasher.farm.workers", farm, FarmBoard::workerCount)
                .description("workers the farm view holds (alive or silent); bounded by FarmBoard.MAX_WORKERS").register(metrics);
        return farm;
    }

    /** Looks up each arch's queue lag and the brokers every farm.poll-interval, on its own thread, from start-up on. */
    @Produces
    @Singleton
    @Startup
    FarmWatch farmWatch(HasherConfig config, FarmBoard farm, List<Arch> arches,
                        @Identifier("default-kafka-broker") Map<String, Object> kafka,
                        @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        Duration every = config.farm().pollInterval();
        FarmWatch watch = new FarmWatch(FarmWatch.admin(kafka, bootstrap, config.instanceId()),
                FarmWatch.counter(kafka, bootstrap, config.instanceId()), farm, arches, Clock.systemUTC());
        farmWatching.scheduleWithFixedDelay(() -> {
            try {
                watch.look();
            } catch (RuntimeException e) {
                LOG.warnf(e, "the farm view's look-up failed; tried again in %s", every);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    void closeFarmWatch(@Disposes FarmWatch watch) throws InterruptedException {
        farmWatching.shutdownNow();
        farmWatching.awaitTermination(10, TimeUnit.SECONDS); // its consumer is the looking thread's alone
        watch.close();
    }

    @Produces
    @Singleton
    AccessPolicy accessPolicy(AuthConfig auth) {
        return AuthSettings.accessPolicy(auth);
    }


    @Produces
    @Singleton
    SourceUrlPolicy sourceUrlPolicy(HasherConfig config) {
        return new SourceUrlPolicy(config.source().gitUrlTemplate(), config.source().allowedUrlPatterns());
    }

    @Produces
    @Singleton
    ImageLocks imageLocks() {
        return new ImageLocks(256);
    }

    @Produces
    @Singleton
    List<Arch> arches(HasherConfig config) {
        return config.arches().stream().distinct().toList();
    }

    @Produces
    @Singleton
    ImageResolver resolver(HasherConfig config, List<Arch> arches, RegistryAdapter registry, StatusBook book,
                           Publisher publisher, ImageLocks locks, MeterRegistry metrics) {
        Counter movedTags = Counter.builder("imagefarm.hasher.tags.moved")
                .description("tags found pointing at another digest than the pipeline recorded (FAILED TAG_MOVED)").register(metrics);
        ImageResolver.Settings settings = new ImageResolver.Settings(config.registry(), arches, config.inFlightTtl(),
                config.failureTtl(), config.heartbeatInterval(), config.usageInterval(), config.decisionTimeout(),
                config.registryDeadline());
        if (config.inFlightTtl().compareTo(settings.buildingAlive()) < 0) {
            throw new IllegalStateException("imagefarm.hasher.in-flight-ttl (" + config.inFlightTtl() + ") must be at least "
                    + ImageResolver.Settings.MISSED_BEATS + " x imagefarm.hasher.heartbeat-interval (" + config.heartbeatInterval()
                    + "): a queued request must outlive the beats a started build is allowed to miss");
        }
        registryLookups =
                Executors.newFixedThreadPool(config.registryConcurrency(), DaemonThreads.numbered("registry-lookup"));
        ImageResolver resolver = new ImageResolver(settings, registry, book, publisher, locks, Clock.systemUTC(), registryLookups);
        revalidation.scheduleWithFixedDelay(() -> {
            try {
                ImageResolver.Revalidation found = resolver.revalidate();
                if (!found.forgotten().isEmpty()) {
                    LOG.warnf("revalidation: %d image(s) the book knew are gone from the registry (deleted outside "
                            + "imagefarm?); the next resolve requests them again: %s", found.forgotten().size(), found.forgotten());
                }
                if (!found.moved().isEmpty()) {
                    movedTags.increment(found.moved().size());
                    LOG.errorf("revalidation: %d tag(s) point at another digest than the pipeline recorded (pushed over "
                            + "outside imagefarm); FAILED with TAG_MOVED, never served as READY: %s", found.moved().size(), found.moved());
                }
                resolver.forgetOldStamps();
            } catch (RuntimeException e) {
                LOG.warnf(e, "revalidation against the registry failed; tried again in %s", config.revalidateInterval());
            }
        }, config.revalidateInterval().toMillis(), config.revalidateInterval().toMillis(), TimeUnit.MILLISECONDS);
        return resolver;
    }

    /** Decides the requests of the partitions this replica owns (RequestDecisions), with the resolver's rules. */
    @Produces
    @Singleton
    RequestDecider requestDecider(StatusBook book, ImageResolver resolver) {
        return new RequestDecider(book, resolver.rules(), Clock.systemUTC());
    }

    @Produces
    @Singleton
    IndexAssembler indexAssembler(HasherConfig config, List<Arch> arches, RegistryAdapter registry, RegistryClient client,
                                  StatusBook book, Publisher publisher, ImageLocks locks, MeterRegistry metrics) {
        // A key that is configured but unusable stops start-up (InvalidKeyFileException names the file, never its content).
        Optional<Signer> signer = SigningKey.fromSecret("imagefarm.hasher.signing.key", config.signing().keyFile())
                .map(key -> new Signer(key, new RegistryContentStore(client)));
        if (signer.isPresent()) {
            LOG.infof("signing assembled images in cosign's format with %s", signer.get());
        } else {
            LOG.warn("no signing key (imagefarm.hasher.signing.key-file): assembled images are not signed, and the status API says so");
        }
        IndexAssembler assembler = new IndexAssembler(arches, registry, registry, registry, book, publisher, locks, assemblerPool,
                Clock.systemUTC(), e -> LOG.warnf("index assembly failed (retried with backoff if transient): %s", e.getMessage()),
                housekeeping, IndexAssembler.Retry.DEFAULT, signer);
        book.onChange(assembler::onStatus);
        if (signer.isPresent()) {
            Counter restored = Counter.builder("imagefarm.hasher.signatures.restored")
                    .description("signatures found deleted from the registry and signed again").register(metrics);
            Map<String, String> reported = new HashMap<>(); // the housekeeping thread's only
            housekeeping.scheduleWithFixedDelay(() -> {
                try {
                    IndexAssembler.SignatureRestore restore = assembler.restoreSignatures();
                    List<String> signedAgain = restore.signedAgain();
                    if (!signedAgain.isEmpty()) {
                        restored.increment(signedAgain.size());
                        LOG.warnf("revalidation: the signatures of %d index(es) were gone from the registry (deleted "
                                + "outside imagefarm?); signed again: %s", signedAgain.size(), signedAgain);
                    }
                    // each index's failure once, until it changes or clears: not every interval
                    restore.failed().forEach((image, why) -> {
                        if (!why.equals(reported.put(image, why))) {
                            LOG.warnf("revalidation: the signature of %s is gone from the registry and could not be "
                                    + "restored (tried again every %s; logged again if the reason changes): %s", image,
                                    config.revalidateInterval(), why);
                        }
                    });
                    reported.keySet().retainAll(restore.failed().keySet());
                } catch (RuntimeException e) {
                    LOG.warnf(e, "signature revalidation failed; tried again in %s", config.revalidateInterval());
                }
            }, config.revalidateInterval().toMillis(), config.revalidateInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        return assembler;
    }

    @Produces
    @Singleton
    RepositorySource repositorySource(HasherConfig config) {
        var token = Secrets.read("imagefarm.hasher.source.token", config.source().token(), config.source().tokenFile());
        RepositorySource source = switch (config.source().kind()) {
            case GIT -> new GitRemoteSource(new GitSettings(token, config.source().timeout(), config.source().timeout()),
                    config.source().maxFileBytes());
            case GITHUB -> new GithubContentsSource(config.source().githubApiUrl(), token, config.source().timeout(), config.source().maxFileBytes());
        };
        return new SharedFetchSource(source, config.source().fetchCacheTtl(), config.source().fetchCacheSize(), Clock.systemUTC());
    }

    void closeRepositorySource(@Disposes RepositorySource source) {
        source.close();
    }

    @Produces
    @Singleton
    WebhookSignature webhookSignature(HasherConfig config) {
        return new WebhookSignature(Secrets.require("imagefarm.hasher.webhook.secret", config.webhook().secret(), config.webhook().secretFile()));
    }

    @Produces
    @Singleton
    RepositoryAllowList allowList(HasherConfig config) {
        return new RepositoryAllowList(config.allowList().orElse(List.of()));
    }

    @Produces
    @Singleton
    DeliveryLog deliveryLog(HasherConfig config) {
        return new DeliveryLog(config.webhook().deliveryMemory());
    }

    @PreDestroy
    void stop() {
        housekeeping.shutdownNow();
        revalidation.shutdownNow();
        farmWatching.shutdownNow();
        assemblerPool.shutdownNow();
        if (registryLookups != null) {
            registryLookups.shutdownNow();
        }
    }
}
