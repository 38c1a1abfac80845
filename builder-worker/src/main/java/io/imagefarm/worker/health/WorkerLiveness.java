package io.imagefarm.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * DOWN once the worker cannot hand an outcome to Kafka: the status topic refused a status, or the retry
 * topic refused a retry record. The event is then left unacknowledged, and only a restart (or a
 * rebalance) gets it delivered again. One event's unexpected failure does not make the worker DOWN: it
 * is retried through the retry topic and, if it keeps failing, parked in the dead-letter topic
 * ({@code messaging.JobRunner}).
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
