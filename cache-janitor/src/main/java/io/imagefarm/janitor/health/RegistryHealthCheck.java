package io.imagefarm.janitor.health;

import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.registry.RegistryClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while every registry the janitor prunes answers its API base: a run against a registry
 * that does not answer plans nothing and deletes nothing, so an operator should see it before the
 * schedule does. Each registry is listed in the check's data.
 */
@Readiness
@ApplicationScoped
public class RegistryHealthCheck implements HealthCheck {

    private final RegistryClient registry;
    private final List<String> registries;

    public RegistryHealthCheck(RegistryClient registry, List<RepositoryTarget> targets) {
        this.registry = registry;
        this.registries = targets.stream().map(t -> t.repository().registry()).distinct().sorted().toList();
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("registry").up();
        for (String host : registries) {
            boolean answers = registry.ping(host);
            response.withData(host, answers ? "UP" : "DOWN");
            if (!answers) {
                response.down();
            }
        }
        return response.build();
    }
}
