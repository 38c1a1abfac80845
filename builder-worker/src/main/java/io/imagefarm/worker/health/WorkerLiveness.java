package io.imagefarm.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * DOWN once the worker hit something it cannot handle by itself (the status topic refused a result,
 * an unexpected error): its event is left unacknowledged, and a restart gets it delivered again.
 */
@Liveness
@ApplicationScoped
public class WorkerLiveness implements HealthCheck {

    private volatile String broken;

    public void markBroken(String why) {
        broken = why;
    }

    @Override
    public HealthCheckResponse call() {
        return broken == null
                ? HealthCheckResponse.up("builder-worker")
                : HealthCheckResponse.named("builder-worker").down().withData("reason", broken).build();
    }
}
