package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.core.event.Topics;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.MissingPartError;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.SampleRepository;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The deployment users copy, really running: {@code docker-compose.yml} plus this host's override
 * ({@code docker-compose.local.yml}), from the images {@code scripts/build-images.sh} builds here
 * (nothing pulled), brought up by {@code scripts/compose-stack.sh} with {@code --wait} on every
 * service's health check, driven like the embedded stack, and torn down with {@code down -v}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackIT {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path STACK = Path.of("target", "compose-stack").toAbsolutePath();
    static final String REPOSITORY = "demo/sample";
    /** The janitor runs on its own every 5 seconds here (Quarkus cron, with seconds). */
    static final String JANITOR_CRON = "*/5 * * * * ?";

    static Set<String> networksBefore;
    static StackClient stack;
    static SampleRepository sample;
    static String hash;

    @BeforeAll
    static void upFromTheProjectsOwnImages() {
        BuildHost.requireArm64Emulation();
        if (!Processes.run(Duration.ofSeconds(30), List.of("docker", "compose", "version")).ok()) {
            throw new MissingPartError("docker compose plugin", "install it with scripts/setup-build-host.sh");
        }
        Processes.run(Duration.ofMinutes(2), ROOT, Map.of(), List.of("scripts/compose-stack.sh", "down", STACK.toString()));
        Processes.run(Duration.ofSeconds(30), List.of("rm", "-rf", STACK.toString())).orThrow();
        Processes.run(Duration.ofMinutes(20), ROOT, Map.of(), List.of("scripts/build-images.sh")).orThrow();
        networksBefore = networks();
        Processes.run(Duration.ofMinutes(6), ROOT, Map.of("IMAGEFARM_JANITOR_CRON", JANITOR_CRON),
                List.of("scripts/compose-stack.sh", "up", STACK.toString())).orThrow();
        stack = StackClient.load(STACK.resolve("stack.env"));
        sample = SampleRepository.init(Path.of(stack.get("SOURCES_DIR")).resolve("sample-" + UUID.randomUUID()));
    }

    @AfterAll
    static void downWithVolumes() {
        Processes.Result down = Processes.run(Duration.ofMinutes(3), ROOT, Map.of(), List.of("scripts/compose-stack.sh", "down", STACK.toString()));
        assertThat(down.ok()).as(down.output()).isTrue();
        assertThat(containers()).as("containers left after down").isEmpty();
        assertThat(networks()).as("networks after down").isEqualTo(networksBefore);
    }

    static Set<String> networks() {
        return new TreeSet<>(Arrays.asList(Processes.run(Duration.ofSeconds(30),
                List.of("docker", "network", "ls", "--format", "{{.Name}}")).orThrow().output().trim().split("\\s+")));
    }

    static List<String> containers() {
        String out = Processes.run(Duration.ofSeconds(30), List.of("docker", "ps", "-a", "--format", "{{.Names}}",
                "--filter", "label=com.docker.compose.project=" + stack.get("COMPOSE_PROJECT"))).orThrow().output().trim();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    @Test
    @Order(1)
    void everyServiceIsUpAndHealthyOnTheHostNetworkWithNoNetworkCreated() {
        List<String> names = containers();
        assertThat(names).hasSize(7);
        for (String name : names) {
            String state = Processes.run(Duration.ofSeconds(30), List.of("docker", "inspect", "--format",
                    "{{.HostConfig.NetworkMode}} {{.State.Health.Status}}", name)).orThrow().output().trim();
            assertThat(state).as(name).isEqualTo("host healthy");
        }
        assertThat(networks()).as("compose created no network").isEqualTo(networksBefore).isSubsetOf("host", "none", "bridge");
    }

    @Test
    @Order(2)
    void aSignedWebhookBuildsBothArchesThroughTheContainersAndPushesTheIndex() throws Exception {
        String dockerfile = "FROM " + stack.get("BASE_IMAGE") + "\n"
                + "RUN echo toolchains > /toolchains\n"
                + "RUN echo 'built by the compose stack' > /last-step\n";
        String commit = sample.commit(SampleRepository.seedFiles(dockerfile), "compose");
        JsonNode answer = stack.pushWebhook(REPOSITORY, commit, sample.url());
        hash = answer.path("versionHash").asText();
        assertThat(answer.path("arches")).extracting(a -> a.path("published").asBoolean()).containsExactly(true, true);

        JsonNode status = stack.awaitReadyWithIndex(hash, REPOSITORY);

        for (String arch : List.of("amd64", "arm64")) {
            assertThat(StackClient.arch(status, arch).path("state").asText()).isEqualTo("BUILT");
        }
        HttpResponse<String> index = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://" + stack.get("REGISTRY") + "/v2/" + REPOSITORY + "/manifests/builder-" + hash))
                .header("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(index.statusCode()).as(index.body()).isEqualTo(200);
        List<String> platforms = new ArrayList<>();
        StackClient.JSON.readTree(index.body()).path("manifests").forEach(m ->
                platforms.add(m.path("platform").path("os").asText() + "/" + m.path("platform").path("architecture").asText()));
        // each platform's image and its provenance attestation (unknown/unknown), as buildx lays them out
        assertThat(platforms).containsExactlyInAnyOrder("linux/amd64", "unknown/unknown", "linux/arm64", "unknown/unknown");
    }

    @Test
    @Order(3)
    void theJanitorRunsOnItsScheduleAndPublishesItsReport() {
        // Runs scheduled before the hasher created the status topic fail by design (no usage history,
        // nothing pruned); the one that proves the schedule is the first to start once the pipeline has run.
        Instant pipelineHasRun = Instant.now();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.get("KAFKA_BOOTSTRAP"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "compose-stack-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.JANITOR_REPORTS));
            List<JsonNode> scheduled = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode report = StackClient.JSON.readTree(r.value());
                    if (report.path("trigger").asText().equals("SCHEDULED")
                            && Instant.parse(report.path("startedAt").asText()).isAfter(pipelineHasRun)) {
                        scheduled.add(report);
                    }
                }
                return !scheduled.isEmpty();
            });
            JsonNode report = scheduled.get(0);
            assertThat(report.path("outcome").asText()).as(report.toString()).isIn("APPLIED", "DRY_RUN");
            assertThat(report.path("repositories")).extracting(r -> r.path("id").asText()).containsExactly("main");
        }
    }
}
