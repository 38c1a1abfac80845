package io.imagefarm.hasher.health;

import io.imagefarm.hasher.messaging.StatusCatchUp;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the status topic is read up to where it ended at start-up: answers come from a complete book. */
@Readiness
@ApplicationScoped
public class StatusCatchUpHealthCheck implements HealthCheck {

    private final StatusCatchUp catchUp;

    public StatusCatchUpHealthCheck(StatusCatchUp catchUp) {
        this.catchUp = catchUp;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("status-book").status(catchUp.caughtUp()).withData("replay", catchUp.progress()).build();
    }
}
