package io.imagefarm.worker.health;

import io.imagefarm.worker.buildx.DockerEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the Docker Engine answers a ping. */
@Readiness
@ApplicationScoped
public class DockerEngineHealthCheck implements HealthCheck {

    private final DockerEngine engine;

    DockerEngineHealthCheck(DockerEngine engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            engine.ping();
            return HealthCheckResponse.up("docker-engine");
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("docker-engine").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
