package io.imagefarm.hasher.health;

import io.imagefarm.hasher.registry.RegistryAdapter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the configured registry answers its API base. */
@Readiness
@ApplicationScoped
public class RegistryHealthCheck implements HealthCheck {

    private final RegistryAdapter registry;

    public RegistryHealthCheck(RegistryAdapter registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("registry")
                .status(registry.reachable())
                .withData("registry", registry.registry())
                .build();
    }
}
