package io.imagefarm.janitor.job;

import io.imagefarm.core.secret.Secrets;
import io.imagefarm.janitor.backend.GhcrPackagesApi;
import io.imagefarm.janitor.backend.GhcrPackagesBackend;
import io.imagefarm.janitor.backend.JanitorBackend;
import io.imagefarm.janitor.backend.OciBackend;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.config.JanitorConfig;
import io.imagefarm.janitor.config.Targets;
import io.imagefarm.janitor.lease.KafkaLease;
import io.imagefarm.janitor.report.JanitorMetrics;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.ReportPublisher;
import io.imagefarm.janitor.usage.StatusTopicReader;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.RegistryClientSettings;
import io.imagefarm.registry.RegistryCredentials;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/** Wires the plain {@link Janitor} to config, Kafka (usage, lease, reports), metrics and the run gate. */
@ApplicationScoped
public class JanitorService {

    private static final Logger LOG = Logger.getLogger(JanitorService.class);

    private final JanitorConfig config;
    private final Map<String, Object> kafkaConfig;
    private final ReportPublisher publisher;
    private final JanitorMetrics metrics;
    private final AtomicReference<JanitorReport> latest = new AtomicReference<>();
    private List<RepositoryTarget> targets;
    private RegistryClient registry;
    private KafkaLease lease;
    private RunGate gate;
    private Janitor janitor;

    @Inject
    public JanitorService(JanitorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                          ReportPublisher publisher, JanitorMetrics metrics) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        targets = Targets.from(config);
        registry = new RegistryClient(registrySettings());
        if (config.lease().enabled()) {
            lease = new KafkaLease(kafkaConfig, config.lease().topic(), config.lease().group(), config.lease().sessionTimeout(),
                    Clock.systemUTC());
            lease.start();
        }
        gate = new RunGate(() -> lease == null || lease.held());
        janitor = new Janitor(this::backend, new StatusTopicReader(kafkaConfig, config.usageReadTimeout()), Clock.systemUTC(),
                publisher::publishStatuses);
        LOG.infof("cache-janitor: %d repositories %s, schedule '%s', lease %s", targets.size(),
                targets.stream().map(RepositoryTarget::image).toList(), config.schedule().cron(),
                config.lease().enabled() ? "on topic " + config.lease().topic() : "disabled");
    }

    void stop(@Observes ShutdownEvent event) {
        if (lease != null) {
            lease.close();
        }
    }

    /** The scheduled run: skipped (empty) if a run is in progress or another replica leads. */
    public Optional<JanitorReport> runScheduled() {
        Optional<JanitorReport> report = gate.runOrSkip(() -> execute(RunRequest.scheduled()));
        if (report.isEmpty()) {
            LOG.infof("cache-janitor: scheduled run skipped: %s", gate.running() ? RunGate.Refusal.RUN_IN_PROGRESS.message()
                    : RunGate.Refusal.NOT_LEADER.message());
        }
        return report;
    }

    /** A manual run; throws {@link RunGate.RunRefusedException} if one is in progress or another replica leads. */
    public JanitorReport run(RunRequest request) {
        return gate.runOrRefuse(() -> execute(request));
    }

    public Optional<JanitorReport> latest() {
        return Optional.ofNullable(latest.get());
    }

    public boolean leaseHeld() {
        return gate.leaseHeld();
    }

    public String leaseState() {
        return lease == null ? "disabled (single replica)" : lease.describe();
    }

    public List<RepositoryTarget> targets() {
        return targets;
    }

    /** Runs the given targets directly under the gate; for tests that bring their own repositories. */
    public JanitorReport run(RunRequest request, List<RepositoryTarget> explicitTargets) {
        return gate.runOrRefuse(() -> finish(janitor.run(request, explicitTargets, gate::leaseHeld)));
    }

    public RegistryClient registryClient() {
        return registry;
    }

    private JanitorReport execute(RunRequest request) {
        return finish(janitor.run(request, targets, gate::leaseHeld));
    }

    private JanitorReport finish(JanitorReport report) {
        latest.set(report);
        metrics.record(report);
        try {
            publisher.publish(report);
        } catch (RuntimeException e) {
            LOG.errorf("cache-janitor: %s", e.getMessage());
        }
        return report;
    }

    private JanitorBackend backend(RepositoryTarget.BackendKind kind) {
        return switch (kind) {
            case OCI -> new OciBackend(registry);
            case GHCR -> new GhcrPackagesBackend(ghcrApi(), ghcrSettings(), registry, Clock.systemUTC(),
                    d -> TimeUnit.MILLISECONDS.sleep(d.toMillis()));
        };
    }

    public GhcrPackagesApi ghcrApi() {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(config.github().apiUrl())
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .disableDefaultMapper(true)
                .build(GhcrPackagesApi.class);
    }

    public GhcrPackagesBackend.Settings ghcrSettings() {
        JanitorConfig.Github g = config.github();
        return new GhcrPackagesBackend.Settings(g.apiUrl(), githubToken().orElse(null), g.perPage(), g.deletesPerMinute(),
                g.maxRateLimitWait());
    }

    private Optional<String> githubToken() {
        return Secrets.read("imagefarm.janitor.github.token", config.github().token(), config.github().tokenFile());
    }

    private RegistryClientSettings registrySettings() {
        Map<String, RegistryCredentials> credentials = new HashMap<>();
        config.credentials().forEach((host, c) -> credentials.put(host, new RegistryCredentials(c.username(),
                Secrets.require("imagefarm.janitor.credentials.\"" + host + "\".password", c.password(), c.passwordFile()))));
        githubToken().ifPresent(t -> credentials.putIfAbsent("ghcr.io", new RegistryCredentials("imagefarm-janitor", t)));
        return RegistryClientSettings.defaults()
                .withCredentials(credentials)
                .withTagsPageSize(config.tagsPageSize())
                .withRetry(4, Duration.ofMillis(200), Duration.ofSeconds(5));
    }
}
