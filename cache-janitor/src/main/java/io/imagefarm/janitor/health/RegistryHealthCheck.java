package io.imagefarm.janitor.health;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.registry.BoundedProbe;
import io.imagefarm.registry.RegistryClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while every registry the janitor prunes answers its API base: a run against a registry
 * that does not answer plans nothing and deletes nothing, so an operator should see it before the
 * schedule does. Each registry is listed in the check's data. Each answers within 1.5 s or is DOWN: a
 * registry that does not answer must not hold readiness for the client's timeouts.
 */
@Readiness
@ApplicationScoped
public class RegistryHealthCheck implements HealthCheck {

    static final Duration BOUND = Duration.ofMillis(1500);

    private final Map<String, BoundedProbe> probes = new TreeMap<>();

    public RegistryHealthCheck(RegistryClient registry, List<RepositoryTarget> targets) {
        ExecutorService pool = Executors.newCachedThreadPool(DaemonThreads.named("registry-readiness"));
        targets.stream().map(t -> t.repository().registry()).distinct()
                .forEach(host -> probes.put(host, new BoundedProbe(() -> registry.ping(host), BOUND, pool)));
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("registry").up();
        for (Map.Entry<String, BoundedProbe> p : probes.entrySet()) {
            String host = p.getKey();
            boolean answers = p.getValue().check();
            response.withData(host, answers ? "UP" : "DOWN");
            if (!answers) {
                response.down();
            }
        }
        return response.build();
    }
}
