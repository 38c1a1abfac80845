package io.imagefarm.hasher.rest;

import static io.imagefarm.hasher.HasherFixtures.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.hasher.HasherFixtures;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's server side: the API's read rules (anonymous only with anonymous-read, which the
 * test profile leaves off), escaping of untrusted status fields, the live event stream, and the farm
 * section (worker beats, queue lags, the broker).
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(RegistryResource.class)
class DashboardIT {

    @TestHTTPResource("/")
    URL root;

    static String hash() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    static ImageStatus built(String repository, String hash) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, "127.0.0.1:5000/" + repository.toLowerCase() + ":builder-" + hash + "-amd64",
                repository, hash, "amd64", BuildState.BUILT, "sha256:" + "d".repeat(64), null, null, null,
                new ImageStatus.BuildTimings(100, 2000, 300), 2, 3, "e-" + hash, null, Instant.now());
    }

    @Test
    void withoutACredentialThePagesAndTheStreamAnswer401() {
        given().get("/").then().statusCode(401);
        given().get("/images/" + hash() + "?repository=acme/widget").then().statusCode(401);
        given().get("/api/v1/events").then().statusCode(401);
        given().get("/farm").then().statusCode(401);
    }

    static String beat(String instanceId, String state, String... images) {
        StringBuilder builds = new StringBuilder();
        for (String image : images) {
            builds.append(builds.length() == 0 ? "" : ",").append("{\"image\":\"").append(image)
                    .append("\",\"since\":\"").append(Instant.now()).append("\"}");
        }
        return "{\"schemaVersion\":1,\"instanceId\":\"" + instanceId + "\",\"arch\":\"amd64\",\"state\":\"" + state
                + "\",\"builds\":[" + builds + "],\"since\":\"" + Instant.now() + "\",\"intervalMillis\":5000,\"at\":\""
                + Instant.now() + "\"}";
    }

    @Test
    void theFarmSectionShowsAWorkerFromItsBeatAndWhatItBuildsOnlyToWhoMayReadIt() {
        String worker = "it-worker-" + hash();
        String mine = "127.0.0.1:5000/acme/farm-mine:builder-" + hash() + "-amd64";
        String theirs = "127.0.0.1:5000/octo/allowed:builder-" + hash() + "-amd64";
        HasherFixtures.publish(Topics.WORKERS, worker, beat(worker, "BUILDING", mine, theirs));
        // a beat that breaks the rules (markup as instance id) is skipped; the next one is taken
        String hostile = "<script>window.__pwned=1</script>";
        HasherFixtures.publish(Topics.WORKERS, hostile, beat(hostile, "IDLE"));
        String next = "it-worker-" + hash();
        HasherFixtures.publish(Topics.WORKERS, next, beat(next, "IDLE"));
        await().atMost(Duration.ofSeconds(20)).until(() -> asAdmin().get("/farm").then().extract().asString().contains(next));

        String admin = asAdmin().get("/farm").then().statusCode(200).contentType("text/html").extract().asString();
        assertThat(admin).contains("data-instance=\"" + worker + "\" data-arch=\"amd64\" data-alive=\"true\" data-state=\"BUILDING\"",
                mine, theirs).doesNotContain("__pwned");
        String ci = given().auth().oauth2(HasherFixtures.CI_TOKEN).get("/").then().statusCode(200).extract().asString();
        assertThat(ci).contains("<section class=\"farm\" id=\"farm\">", worker, mine).doesNotContain(theirs)
                .contains("an image of a repository you may not read");

        // a tombstone: the worker stopped and left the farm
        HasherFixtures.publish(Topics.WORKERS, worker, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> !asAdmin().get("/farm").then().extract().asString().contains(worker));
    }

    @Test
    void theFarmSectionShowsEachArchsQueueLagAndTheBrokerInSync() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String farm = asAdmin().get("/farm").then().statusCode(200).extract().asString();
            for (String arch : List.of("amd64", "arm64")) {
                assertThat(farm).containsPattern("<tr class=\"queue\" data-arch=\"" + arch
                        + "\" data-lag=\"\\d+\" data-events=\"\\d+\" data-waiting=\"\\d+\">");
            }
            assertThat(farm).containsPattern("<tr class=\"broker\" data-broker=\"\\d+\" data-up=\"true\" data-in-sync=\"true\">")
                    .contains("0</span> under-replicated").doesNotContain("data-in-sync=\"false\"");
        });
    }

    @Test
    void aCiTokenSeesOnlyTheRepositoriesItMayReadAndIsRefusedAnotherOnesPage() {
        String mine = hash();
        String theirs = hash();
        HasherFixtures.publishStatus(built("acme/dash-mine", mine));
        HasherFixtures.publishStatus(built("octo/allowed", theirs));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String all = asAdmin().get("/").then().extract().asString();
            return all.contains(mine) && all.contains(theirs); // on different partitions, read in no fixed order
        });

        String page = given().auth().oauth2(HasherFixtures.CI_TOKEN).get("/").then().statusCode(200)
                .contentType("text/html").extract().asString();
        assertThat(page).contains("acme/dash-mine", mine).doesNotContain("octo/allowed", theirs);
        given().auth().oauth2(HasherFixtures.CI_TOKEN).get("/images/" + theirs + "?repository=octo/allowed").then().statusCode(403);
    }

    @Test
    void theDetailPageShowsEachArchsImageAndProvenanceInTheIndexAndTheIndexPinnedByDigest() {
        String hash = hash();
        String registry = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("imagefarm.hasher.registry", String.class);
        var c = io.imagefarm.core.image.ImageCoordinates.of(registry, io.imagefarm.core.image.SourceRepository.parse("acme/widget"),
                new io.imagefarm.core.hash.VersionHash(hash));
        String image = "sha256:" + "1".repeat(64);
        String attestation = "sha256:" + "2".repeat(64);
        String index = "sha256:" + "3".repeat(64);
        HasherFixtures.publishStatus(new ImageStatus(ImageStatus.SCHEMA_VERSION, c.image(io.imagefarm.core.image.Arch.AMD64).toString(),
                "acme/widget", hash, "amd64", BuildState.BUILT, "sha256:" + "d".repeat(64), null, null, null,
                new ImageStatus.BuildTimings(100, 2000, 300), 2, 3, "e-" + hash, null, Instant.now()));
        HasherFixtures.publishStatus(ImageStatus.index(c.index().toString(), "acme/widget", hash, BuildState.BUILT, index,
                java.util.Map.of("amd64", new ImageStatus.PlatformDigests(image, attestation)), Instant.now(), Instant.now()));

        await().atMost(Duration.ofSeconds(20)).until(() ->
                asAdmin().get("/images/" + hash + "?repository=acme/widget").then().extract().asString().contains(attestation));
        String detail = asAdmin().get("/images/" + hash + "?repository=acme/widget").then().statusCode(200).extract().asString();
        assertThat(detail).contains("<code class=\"platform-digest\">" + image + "</code>")
                .contains("<code class=\"attestation-digest\">" + attestation + "</code>")
                .contains("docker pull " + c.index() + "@" + index);
    }

    @Test
    void aStatusWithAnInvalidImageRefIsSkippedAndMarkupInAReadableStatusIsEscaped() {
        String hostile = "<script>window.__pwned=1</script>";
        // An image ref that is no image ref never enters the book, and the consumer goes on with the next record.
        String refused = hash();
        HasherFixtures.publishStatus(new ImageStatus(ImageStatus.SCHEMA_VERSION,
                "127.0.0.1:5000/acme/hostile:builder-" + refused + "-amd64\"" + hostile, "acme/hostile", refused, "amd64",
                BuildState.BUILT, "sha256:" + "e".repeat(64), null, null, null, null, null, null, "e-" + refused, null, Instant.now()));
        String after = hash();
        HasherFixtures.publishStatus(built("acme/after-hostile", after));
        await().atMost(Duration.ofSeconds(20)).until(() -> asAdmin().get("/").then().extract().asString().contains(after));
        assertThat(asAdmin().get("/").then().statusCode(200).extract().asString()).doesNotContain(refused).doesNotContain(hostile);

        // The detail page of a real repository whose failure carries markup in its reason and log tail.
        String failedHash = hash();
        HasherFixtures.publishStatus(new ImageStatus(ImageStatus.SCHEMA_VERSION,
                io.imagefarm.core.image.ImageCoordinates.of(org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("imagefarm.hasher.registry", String.class),
                        io.imagefarm.core.image.SourceRepository.parse("acme/widget"),
                        new io.imagefarm.core.hash.VersionHash(failedHash)).image(io.imagefarm.core.image.Arch.AMD64).toString(),
                "acme/widget", failedHash, "amd64", BuildState.FAILED, null, io.imagefarm.core.event.FailureKind.BUILD_ERROR,
                "reason " + hostile, "log " + hostile, null, null, null, "e-" + failedHash, null, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                asAdmin().get("/images/" + failedHash + "?repository=acme/widget").then().extract().asString().contains("BUILD_ERROR"));
        String detail = asAdmin().get("/images/" + failedHash + "?repository=acme/widget").then().statusCode(200).extract().asString();
        assertThat(detail).contains("log &lt;script&gt;window.__pwned=1&lt;/script&gt;").doesNotContain(hostile);
    }

    @Test
    void theEventStreamOfOneRepositoryCarriesItsStatusesAndNoOtherRepositorys() throws Exception {
        String mine = hash();
        List<String> lines = new CopyOnWriteArrayList<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(root.toString() + "api/v1/events?repository=acme/streamed"))
                .header("Authorization", "Bearer " + HasherFixtures.CI_TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        reader.submit(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            }
            return null;
        });
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                HasherFixtures.publishStatus(built("acme/other", hash()));
                HasherFixtures.publishStatus(built("acme/streamed", mine));
                assertThat(lines).anyMatch(l -> l.startsWith("data:") && l.contains(mine));
            });
            assertThat(lines).filteredOn(l -> l.startsWith("data:")).allMatch(l -> l.contains("\"repository\":\"acme/streamed\""));
        } finally {
            stream.body().close();
            reader.shutdownNow();
        }
    }
}
