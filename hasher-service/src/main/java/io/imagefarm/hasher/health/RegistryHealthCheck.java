package io.imagefarm.hasher.health;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.hasher.registry.RegistryAdapter;
import io.imagefarm.registry.BoundedProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the configured registry answers its API base, within 1.5 s: a registry that does not
 * answer (a frozen process held readiness for 24 s) is DOWN at once, not after the client's timeouts.
 */
@Readiness
@ApplicationScoped
public class RegistryHealthCheck implements HealthCheck {

    static final Duration BOUND = Duration.ofMillis(1500);

    private final RegistryAdapter registry;
    private final BoundedProbe probe;

    public RegistryHealthCheck(RegistryAdapter registry) {
        this.registry = registry;
        this.probe = new BoundedProbe(registry::reachable, BOUND, Executors.newCachedThreadPool(DaemonThreads.named("registry-readiness")));
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("registry")
                .status(probe.check())
                .withData("registry", registry.registry())
                .withData("bound", BOUND.toString())
                .build();
    }
}
