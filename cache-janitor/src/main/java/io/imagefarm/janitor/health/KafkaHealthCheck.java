package io.imagefarm.janitor.health;

import io.imagefarm.core.concurrent.DaemonThreads;
import io.imagefarm.registry.BoundedProbe;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while Kafka answers, within 1.5 s: without it the janitor can neither read the usage
 * history it prunes by (a run refuses to delete without it) nor publish its reports, so an operator
 * should see it before the schedule does.
 */
@Readiness
@ApplicationScoped
public class KafkaHealthCheck implements HealthCheck {

    static final Duration BOUND = Duration.ofMillis(1500);

    private final Admin admin;
    private final BoundedProbe probe;

    public KafkaHealthCheck(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "cache-janitor-readiness");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        this.admin = Admin.create(props);
        this.probe = new BoundedProbe(this::brokersAnswer, BOUND, Executors.newCachedThreadPool(DaemonThreads.named("kafka-readiness")));
    }

    private boolean brokersAnswer() {
        try {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka").status(probe.check()).withData("bound", BOUND.toString()).build();
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
