package io.imagefarm.hasher.health;

import io.imagefarm.hasher.messaging.TopicsInitializer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** DOWN while a pipeline topic has fewer partitions or replicas than configured, or is missing, each named. */
@Readiness
@ApplicationScoped
public class TopicsHealthCheck implements HealthCheck {

    private final TopicsInitializer topics;

    public TopicsHealthCheck(TopicsInitializer topics) {
        this.topics = topics;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> problems = topics.problems();
        HealthCheckResponseBuilder answer = HealthCheckResponse.named("kafka-topics").status(problems.isEmpty());
        for (int i = 0; i < problems.size(); i++) {
            answer.withData("problem-" + (i + 1), problems.get(i));
        }
        return answer.build();
    }
}
