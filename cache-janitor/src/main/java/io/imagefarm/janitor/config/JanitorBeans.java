package io.imagefarm.janitor.config;

import io.imagefarm.core.secret.Secrets;
import io.imagefarm.janitor.backend.GhcrPackagesApi;
import io.imagefarm.janitor.backend.GhcrPackagesBackend;
import io.imagefarm.janitor.backend.JanitorBackend;
import io.imagefarm.janitor.backend.OciBackend;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.job.Janitor;
import io.imagefarm.janitor.job.Lease;
import io.imagefarm.janitor.messaging.KafkaLease;
import io.imagefarm.janitor.messaging.ReportPublisher;
import io.imagefarm.janitor.messaging.StatusTopicReader;
import io.imagefarm.janitor.policy.PolicySettings;
import io.imagefarm.janitor.report.JanitorMetrics;
import io.imagefarm.janitor.usage.UsageSource;
import io.imagefarm.registry.RegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Wires the plain-Java janitor to config, Kafka, the registries and GitHub: the one place its objects and clients are built. */
@ApplicationScoped
public class JanitorBeans {

    private static final Logger LOG = Logger.getLogger(JanitorBeans.class);


    /** The configured repositories, each key over the defaults; at start-up, so a bad policy stops it. */
    @Produces
    @Singleton
    @Startup
    List<RepositoryTarget> targets(JanitorConfig config) {
        List<RepositoryTarget> targets = new ArrayList<>();
        new TreeMap<>(config.repositories()).forEach((id, repository) -> targets.add(target(id, repository, config.defaults())));
        LOG.infof("cache-janitor: %d repositories %s, schedule '%s', lease %s", targets.size(),
                targets.stream().map(RepositoryTarget::image).toList(), config.schedule().cron(),
                config.lease().enabled() ? "on topic " + config.lease().topic() : "disabled");
        return List.copyOf(targets);
    }

    private static RepositoryTarget target(String id, JanitorConfig.Repository r, JanitorConfig.Policy d) {
        Set<String> arches = new LinkedHashSet<>();
        r.arches().orElse(d.arches()).forEach(arch -> arches.add(arch.id()));
        // each key's range was checked when the mapping was built (Checked)
        PolicySettings policy = new PolicySettings(r.keepHashes().orElse(d.keepHashes()),
                Duration.ofDays(r.keepUsedDays().orElse(d.keepUsedDays())), r.gracePeriod().orElse(d.gracePeriod()),
                arches, r.deleteLegacyCache().orElse(d.deleteLegacyCache()), r.deleteUntagged().orElse(d.deleteUntagged()),
                r.maxDeletions().orElse(d.maxDeletions()), r.maxDeletionFraction().orElse(d.maxDeletionFraction()));
        return new RepositoryTarget(id, r.image(), r.backend(), policy, r.ownerType());
    }

    /** Joined at start-up, so this replica can lead by the first run. */
    @Produces
    @Singleton
    @Startup
    Lease lease(JanitorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        if (!config.lease().enabled()) {
            return Lease.SINGLE_REPLICA;
        }
        KafkaLease lease = new KafkaLease(kafka, config.lease().topic(), config.lease().group(), config.lease().sessionTimeout(),
                Clock.systemUTC());
        lease.start();
        return lease;
    }

    /** Leaves the group, so another replica takes over at once. */
    void closeLease(@Disposes Lease lease) {
        if (lease instanceof KafkaLease kafkaLease) {
            kafkaLease.close();
        }
    }

    @Produces
    @Singleton
    UsageSource usage(JanitorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return new StatusTopicReader(kafka, config.usageReadTimeout());
    }

    @Produces
    @Singleton
    ReportPublisher reportPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return new ReportPublisher(kafka);
    }

    void closeReportPublisher(@Disposes ReportPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    JanitorMetrics metrics(MeterRegistry registry) {
        return new JanitorMetrics(registry);
    }

    /** One GitHub Packages client for every run (there is one {@code github.api-url}), closed on shutdown. */
    @Produces
    @Singleton
    GhcrPackagesApi githubPackages(JanitorConfig config) {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(config.github().apiUrl())
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .disableDefaultMapper(true)
                .build(GhcrPackagesApi.class);
    }

    void closeGithubPackages(@Disposes GhcrPackagesApi api) throws IOException {
        // Quarkus REST client proxies are Closeable; closing releases the underlying HTTP client.
        if (api instanceof Closeable closeable) {
            closeable.close();
        }
    }

    /**
     * The domain run. Backends come per run: the OCI one is stateless and shared, a ghcr one carries the
     * run's rate budget (and reads the GitHub token again, so a rotated token file is picked up), both over
     * the shared clients above.
     */
    @Produces
    @Singleton
    Janitor janitor(JanitorConfig config, RegistryClient registry, GhcrPackagesApi github, UsageSource usage,
                    ReportPublisher publisher) {
        Clock clock = Clock.systemUTC();
        JanitorBackend oci = new OciBackend(registry);
        return new Janitor(kind -> switch (kind) {
            case OCI -> oci;
            case GHCR -> new GhcrPackagesBackend(github, ghcrSettings(config), registry, clock,
                    d -> TimeUnit.MILLISECONDS.sleep(d.toMillis()));
        }, usage, clock, publisher::publishStatuses);
    }

    private static GhcrPackagesBackend.Settings ghcrSettings(JanitorConfig config) {
        JanitorConfig.Github g = config.github();
        return new GhcrPackagesBackend.Settings(githubToken(config).orElse(null), g.perPage(), g.deletesPerMinute(),
                g.maxRateLimitWait());
    }

    private static Optional<String> githubToken(JanitorConfig config) {
        return Secrets.read("imagefarm.janitor.github.token", config.github().token(), config.github().tokenFile());
    }
}
