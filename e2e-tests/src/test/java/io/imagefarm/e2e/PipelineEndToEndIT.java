package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SampleRepository;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The README's demo as a test: every part a real process (Kafka broker JVM, distribution registry,
 * hasher, an amd64 and an arm64 worker, janitor), driven over HTTP as CI and GitHub would.
 * Steps build on each other, hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path STACK = Path.of("target", "e2e-stack").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Map<String, String> env;
    static SampleRepository sample;
    static String commit1;
    static String hash1;
    static String hash2;
    static JsonNode status1;

    @BeforeAll
    static void startStack() throws Exception {
        BuildHost.requireArm64Emulation();
        Processes.run(Duration.ofMinutes(5), ROOT, Map.of(), List.of("scripts/demo-stack.sh", "start", STACK.toString())).orThrow();
        env = new HashMap<>();
        for (String line : Files.readAllLines(STACK.resolve("stack.env"))) {
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        sample = SampleRepository.init(STACK.resolve("sample-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stopStack() {
        Processes.run(Duration.ofMinutes(2), ROOT, Map.of(), List.of("scripts/demo-stack.sh", "stop", STACK.toString()));
    }

    static String dockerfile(String lastStep) {
        return "FROM " + env.get("BASE_IMAGE") + "\n"
                + "RUN echo toolchains > /toolchains && sleep 2\n"
                + "RUN echo deps > /deps && sleep 2\n"
                + "RUN echo '" + lastStep + "' > /last-step\n";
    }

    static JsonNode webhook(String commit) throws Exception {
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit + "\",\"deleted\":false,"
                + "\"repository\":{\"full_name\":\"demo/sample\",\"clone_url\":\"" + sample.url() + "\"}}").getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(Path.of(env.get("WEBHOOK_SECRET_FILE"))), "HmacSHA256"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(env.get("HASHER_URL") + "/webhooks/github"))
                .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode post(String url, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode awaitReadyWithIndex(String hash) {
        return await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).until(
                () -> get(env.get("HASHER_URL") + "/api/v1/images/" + hash + "?repository=demo/sample"),
                s -> {
                    assertThat(s.path("outcome").asText()).as(s.toString()).isNotEqualTo("FAILED");
                    return s.path("outcome").asText().equals("READY") && s.path("index").path("state").asText().equals("BUILT");
                });
    }

    static JsonNode arch(JsonNode status, String arch) {
        for (JsonNode a : status.path("arches")) {
            if (a.path("arch").asText().equals(arch)) {
                return a;
            }
        }
        throw new AssertionError("no " + arch + " in " + status);
    }

    @Test
    @Order(1)
    void signedPushWebhookPublishesABuildForEachArch() throws Exception {
        commit1 = sample.commit(SampleRepository.seedFiles(dockerfile("v1")), "first");
        JsonNode answer = webhook(commit1);
        hash1 = answer.path("versionHash").asText();
        assertThat(answer.path("arches")).extracting(a -> a.path("published").asBoolean()).containsExactly(true, true);
    }

    @Test
    @Order(2)
    void bothArchesAreBuiltPushedAndJoinedInAMultiArchIndex() throws Exception {
        status1 = awaitReadyWithIndex(hash1);
        for (String a : List.of("amd64", "arm64")) {
            assertThat(arch(status1, a).path("state").asText()).isEqualTo("BUILT");
            assertThat(arch(status1, a).path("digest").asText()).startsWith("sha256:");
        }
        Processes.Result inspect = Processes.run(Duration.ofMinutes(1), List.of("docker", "buildx", "imagetools", "inspect",
                status1.path("index").path("image").asText())).orThrow();
        assertThat(inspect.output()).contains("linux/amd64", "linux/arm64");
    }

    @Test
    @Order(3)
    void changingOnlyTheLastStepRebuildsWithEarlierStepsFromTheRegistryCache() throws Exception {
        // a fresh build host: nothing local to reuse, so cached steps can only come from buildcache-<arch>
        Processes.run(Duration.ofMinutes(2), List.of("docker", "buildx", "prune", "-af")).orThrow();
        sample.commit(SampleRepository.seedFiles(dockerfile("v2")), "second");
        String commit2 = Processes.run(Duration.ofSeconds(10), sample.dir(), Map.of(), List.of("git", "rev-parse", "HEAD")).orThrow().output().trim();
        hash2 = webhook(commit2).path("versionHash").asText();
        assertThat(hash2).isNotEqualTo(hash1);

        JsonNode status2 = awaitReadyWithIndex(hash2);
        for (String a : List.of("amd64", "arm64")) {
            assertThat(arch(status2, a).path("cachedSteps").asInt()).as(a + " cached steps").isGreaterThanOrEqualTo(2);
            assertThat(arch(status2, a).path("timings").path("buildMillis").asLong()).as(a + " faster")
                    .isLessThan(arch(status1, a).path("timings").path("buildMillis").asLong());
        }
    }

    @Test
    @Order(4)
    void theFirstWebhookAgainRebuildsNothing() throws Exception {
        JsonNode again = webhook(commit1);
        assertThat(again.path("arches")).extracting(a -> a.path("published").asBoolean()).containsOnly(false);
        assertThat(again.path("arches")).extracting(a -> a.path("state").asText()).containsOnly("EXISTS");
    }

    @Test
    @Order(5)
    void cliResolveWaitsAndPrintsTheImagesForCi() throws Exception {
        Processes.Result r = Processes.run(Duration.ofMinutes(2), ROOT, Map.of(), List.of("bin/imagefarm", "resolve",
                "--server", env.get("HASHER_URL"), "--repo-dir", sample.dir().toString(), "--repository", "demo/sample",
                "--wait", "--timeout", "PT60S"));

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("version-hash=" + hash2, "outcome=READY",
                "image-amd64=" + env.get("REGISTRY") + "/demo/sample:builder-" + hash2 + "-amd64",
                "index=" + env.get("REGISTRY") + "/demo/sample:builder-" + hash2);
    }

    @Test
    @Order(6)
    void janitorWithKeepHashesOnePrunesTheFirstHashAndKeepsTheCurrentOne() throws Exception {
        String janitor = env.get("JANITOR_URL") + "/api/v1/janitor/runs";
        JsonNode plan = post(janitor, "{\"dryRun\":true}");
        RegistrySeeder registry = new RegistrySeeder("http://" + env.get("REGISTRY"), null);
        assertThat(registry.headStatus("/v2/demo/sample/manifests/builder-" + hash1 + "-amd64")).as("dry run deletes nothing: " + plan).isEqualTo(200);

        post(janitor, "{\"dryRun\":false}");

        for (String tag : List.of("builder-" + hash1, "builder-" + hash1 + "-amd64", "builder-" + hash1 + "-arm64")) {
            assertThat(registry.headStatus("/v2/demo/sample/manifests/" + tag)).as(tag).isEqualTo(404);
        }
        for (String tag : List.of("builder-" + hash2, "builder-" + hash2 + "-amd64", "builder-" + hash2 + "-arm64",
                "buildcache-amd64", "buildcache-arm64")) {
            assertThat(registry.headStatus("/v2/demo/sample/manifests/" + tag)).as(tag).isEqualTo(200);
        }
    }
}
