package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.MissingPartError;
import io.imagefarm.testsupport.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The deployment file as written, validated by {@code docker compose config}: the services exist,
 * workers are per-arch with the Docker socket, every service has a health check, and no secret is
 * inlined. {@link ComposeStackIT} runs it.
 */
class ComposeFileIT {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Map<String, String> ENV = Map.of(
            "IMAGEFARM_ALLOW_LIST", "acme",
            "IMAGEFARM_JANITOR_IMAGE", "ghcr.io/acme/widget");

    static JsonNode config() throws Exception {
        return config("local-registry");
    }

    static JsonNode config(String profile) throws Exception {
        BuildHost.requireEngineWithBuildx();
        Processes.Result version = Processes.run(Duration.ofSeconds(30), List.of("docker", "compose", "version"));
        if (!version.ok()) {
            throw new MissingPartError("docker compose plugin", version.output().trim());
        }
        Processes.Result r = Processes.run(Duration.ofMinutes(1), ROOT, ENV,
                List.of("docker", "compose", "-f", "docker-compose.yml", "--profile", profile, "config", "--format", "json")).orThrow();
        return new ObjectMapper().readTree(r.output().substring(r.output().indexOf('{')));
    }

    @Test
    void composeFileValidatesWithEveryServiceOfThePipeline() throws Exception {
        JsonNode services = config().path("services");

        assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder(
                "kafka", "registry", "hasher-service", "builder-worker-amd64", "builder-worker-arm64", "cache-janitor");
        assertThat(services.path("kafka").path("image").asText()).isEqualTo("apache/kafka:4.1.2");
        assertThat(services.path("registry").path("environment").path("REGISTRY_STORAGE_DELETE_ENABLED").asText()).isEqualTo("true");
    }

    @Test
    void eachWorkerIsPinnedToItsArchAndDrivesTheHostEngine() throws Exception {
        JsonNode services = config().path("services");
        for (String arch : List.of("amd64", "arm64")) {
            JsonNode worker = services.path("builder-worker-" + arch);
            assertThat(worker.path("platform").asText()).isEqualTo("linux/" + arch);
            assertThat(worker.path("environment").path("IMAGEFARM_WORKER_ARCH").asText()).isEqualTo(arch);
            assertThat(worker.path("volumes").toString()).contains("/var/run/docker.sock");
        }
    }

    @Test
    void secretsComeFromFilesNotFromTheComposeFile() throws Exception {
        JsonNode config = config();
        assertThat(config.path("secrets").path("webhook_secret").path("file").asText()).endsWith("secrets/webhook_secret");
        assertThat(config.path("services").path("hasher-service").path("environment").path("IMAGEFARM_HASHER_WEBHOOK_SECRET_FILE").asText())
                .isEqualTo("/run/secrets/webhook_secret");
        assertThat(config.path("services").path("hasher-service").path("environment").has("IMAGEFARM_HASHER_WEBHOOK_SECRET")).isFalse();
    }

    @Test
    void everyServiceHasAHealthCheckAndRestartsWhenItExits() throws Exception {
        JsonNode services = config().path("services");
        for (String name : List.of("kafka", "registry", "hasher-service", "builder-worker-amd64", "builder-worker-arm64", "cache-janitor")) {
            assertThat(services.path(name).path("healthcheck").path("test").toString()).as(name).isNotEmpty().isNotEqualTo("\"\"");
            assertThat(services.path(name).path("restart").asText()).as(name).isEqualTo("unless-stopped");
        }
        // Docker restarts containers that exit, not unhealthy ones: the worker's check stops a worker whose liveness is DOWN.
        assertThat(services.path("builder-worker-amd64").path("healthcheck").path("test").toString())
                .contains("/q/health/live", "503", "kill -TERM 1");
    }

    @Test
    void theClusterProfileAddsThreeBrokersTwoHashersAndTheirLoadBalancerWithReplicatedTopics() throws Exception {
        JsonNode services = config("cluster").path("services");

        assertThat(services.fieldNames()).toIterable().contains("kafka-1", "kafka-2", "kafka-3", "hasher-1", "hasher-2", "hasher-lb");
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            JsonNode env = services.path(broker).path("environment");
            assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText()).as(broker)
                    .isEqualTo("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
            assertThat(env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).as(broker).isEqualTo("false");
            assertThat(env.path("KAFKA_MIN_INSYNC_REPLICAS").asText()).as(broker).isEqualTo("2");
        }
        for (String hasher : List.of("hasher-1", "hasher-2")) {
            JsonNode env = services.path(hasher).path("environment");
            assertThat(env.path("IMAGEFARM_HASHER_TOPICS_REPLICATION_FACTOR").asText()).as(hasher).isEqualTo("3");
            assertThat(env.path("IMAGEFARM_HASHER_TOPICS_MIN_INSYNC_REPLICAS").asText()).as(hasher).isEqualTo("2");
            assertThat(env.path("KAFKA_BOOTSTRAP_SERVERS").asText()).as(hasher).isEqualTo("kafka-1:19092,kafka-2:19092,kafka-3:19092");
        }
        assertThat(services.path("hasher-1").path("environment").path("IMAGEFARM_HASHER_INSTANCE_ID").asText())
                .isNotEqualTo(services.path("hasher-2").path("environment").path("IMAGEFARM_HASHER_INSTANCE_ID").asText());
        assertThat(services.path("hasher-lb").path("healthcheck").path("test").toString()).isNotEmpty();
    }
}
