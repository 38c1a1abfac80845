package io.imagefarm.hasher.rest;

import io.imagefarm.hasher.webhook.WebhookSignature;

import static io.imagefarm.hasher.HasherFixtures.SIGNER;
import static io.imagefarm.hasher.HasherFixtures.pushPayload;
import static io.imagefarm.hasher.HasherFixtures.uniqueDockerfile;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.hasher.KafkaTap;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.SampleRepository;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(RegistryResource.class)
class GithubWebhookIT {

    static KafkaTap tap;

    @TempDir
    Path tmp;

    @ConfigProperty(name = RegistryResource.REGISTRY_PROPERTY)
    String registry;

    @BeforeAll
    static void tapTopics() {
        tap = new KafkaTap(Topics.imageRequired(Arch.AMD64), Topics.imageRequired(Arch.ARM64), Topics.IMAGE_STATUS);
    }

    @AfterAll
    static void closeTap() {
        tap.close();
    }

    static ValidatableResponse deliver(String event, byte[] body, String signature, String delivery) {
        var request = given().header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery).body(body);
        if (signature != null) {
            request = request.header("X-Hub-Signature-256", signature);
        }
        return request.when().post("/webhooks/github").then();
    }

    static List<ConsumerRecord<String, String>> eventsFor(String commit) {
        return tap.records(r -> r.topic().startsWith(Topics.IMAGE_REQUIRED_PREFIX) && r.value().contains(commit));
    }

    record Pushed(SampleRepository repo, String commit) {
    }

    Pushed sampleRepo(String dockerfile) {
        SampleRepository repo = SampleRepository.init(tmp.resolve("repo-" + UUID.randomUUID()));
        return new Pushed(repo, repo.commit(SampleRepository.seedFiles(dockerfile), "initial"));
    }

    @Test
    void signedPushPublishesOneImageRequiredEventPerMissingArchKeyedByImageRef() {
        Pushed p = sampleRepo(uniqueDockerfile());
        byte[] body = pushPayload("acme/widget", p.commit(), p.repo().url());

        deliver("push", body, SIGNER.sign(body), UUID.randomUUID().toString())
                .statusCode(200)
                .body("versionHash", org.hamcrest.Matchers.matchesPattern("[0-9a-f]{16}"))
                .body("arches.state", org.hamcrest.Matchers.everyItem(equalTo("REQUESTED")));

        List<ConsumerRecord<String, String>> events = await().atMost(Duration.ofSeconds(20))
                .until(() -> eventsFor(p.commit()), l -> l.size() == 2);
        assertThat(events).extracting(ConsumerRecord::topic)
                .containsExactlyInAnyOrder("imagefarm.image-required.amd64", "imagefarm.image-required.arm64");
        for (ConsumerRecord<String, String> record : events) {
            ImageRequired event = EventCodec.decode(record.value(), ImageRequired.class);
            assertThat(record.key()).isEqualTo(event.image());
            assertThat(event.image()).startsWith(registry + "/acme/widget:builder-" + event.versionHash() + "-");
            assertThat(event.cache()).isEqualTo(registry + "/acme/widget:buildcache-" + event.platform().substring(6));
            assertThat(event.repository()).isEqualTo("acme/widget");
            assertThat(event.sourceUrl()).isEqualTo(p.repo().url());
            assertThat(event.inputs().rustChannel()).isEqualTo("1.83.0");
            assertThat(event.inputs().nodeVersion()).isEqualTo("22.11.0");
        }
    }

    @Test
    void wrongSignatureIsRejectedWith401AndPublishesNothing() {
        Pushed p = sampleRepo(uniqueDockerfile());
        byte[] body = pushPayload("acme/widget", p.commit(), p.repo().url());

        deliver("push", body, new WebhookSignature("not-the-secret").sign(body), UUID.randomUUID().toString())
                .statusCode(401).body("error", equalTo("invalid-signature"));
        deliver("push", body, null, UUID.randomUUID().toString())
                .statusCode(401).body("message", containsString("missing"));

        // a signed ping after it proves the service kept serving, and gives Kafka time to show anything published
        deliver("ping", "{}".getBytes(), SIGNER.sign("{}".getBytes()), UUID.randomUUID().toString()).statusCode(200);
        assertThat(eventsFor(p.commit())).isEmpty();
    }

    @Test
    void pingAnswers200AndOtherEventsAreIgnoredWith202() {
        byte[] body = "{\"zen\":\"Keep it logically awesome.\"}".getBytes();
        deliver("ping", body, SIGNER.sign(body), UUID.randomUUID().toString()).statusCode(200).body("status", equalTo("pong"));
        deliver("issues", body, SIGNER.sign(body), UUID.randomUUID().toString()).statusCode(202).body("status", equalTo("ignored"));
    }

    @Test
    void redeliveryOfTheSameGuidAnswers200AndPublishesNothingNew() {
        Pushed p = sampleRepo(uniqueDockerfile());
        byte[] body = pushPayload("acme/widget", p.commit(), p.repo().url());
        String delivery = UUID.randomUUID().toString();

        deliver("push", body, SIGNER.sign(body), delivery).statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> eventsFor(p.commit()).size() == 2);

        deliver("push", body, SIGNER.sign(body), delivery).statusCode(200).body("status", equalTo("duplicate-delivery"));
        deliver("ping", "{}".getBytes(), SIGNER.sign("{}".getBytes()), UUID.randomUUID().toString()).statusCode(200);
        assertThat(eventsFor(p.commit())).hasSize(2);
    }

    @Test
    void repositoryNotOnTheAllowListIsForbiddenAndNothingBuilds() {
        Pushed p = sampleRepo(uniqueDockerfile());
        byte[] body = pushPayload("stranger/evil", p.commit(), p.repo().url());

        deliver("push", body, SIGNER.sign(body), UUID.randomUUID().toString())
                .statusCode(403).body("error", equalTo("repository-not-allowed"));
        deliver("ping", "{}".getBytes(), SIGNER.sign("{}".getBytes()), UUID.randomUUID().toString()).statusCode(200);
        assertThat(eventsFor(p.commit())).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void bodyOverTheLimitIsRefusedWith413() throws Exception {
        byte[] huge = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        // Expect: 100-continue, as GitHub's sender may: the refusal arrives before the body is sent,
        // so the client reads the 413 instead of a reset connection.
        var response = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest
                        .newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/webhooks/github"))
                        .expectContinue(true)
                        .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                        .header("X-Hub-Signature-256", SIGNER.sign(huge))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(huge)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void malformedTomlInTheRepositoryAnswers422NamingTheFile() {
        SampleRepository repo = SampleRepository.init(tmp.resolve("bad-toml"));
        var files = SampleRepository.seedFiles(uniqueDockerfile());
        files.put("rust-toolchain.toml", "[toolchain\nchannel = \"1.83\"\n");
        String commit = repo.commit(files, "broken toolchain");
        byte[] body = pushPayload("acme/widget", commit, repo.url());

        deliver("push", body, SIGNER.sign(body), UUID.randomUUID().toString())
                .statusCode(422)
                .body("error", equalTo("invalid-repository-files"))
                .body("file", equalTo("rust-toolchain.toml"))
                .body("message", containsString("invalid TOML at line 1"));
        assertThat(eventsFor(commit)).isEmpty();
    }

    @Test
    void missingHashInputAnswers422NamingTheFile() {
        SampleRepository repo = SampleRepository.init(tmp.resolve("no-python"));
        var files = SampleRepository.seedFiles(uniqueDockerfile());
        files.remove(".python-version");
        String commit = repo.commit(files, "no python version");
        byte[] body = pushPayload("acme/widget", commit, repo.url());

        deliver("push", body, SIGNER.sign(body), UUID.randomUUID().toString())
                .statusCode(422).body("file", equalTo(".python-version")).body("message", containsString("missing"));
    }

    @Test
    void unknownRepositoryAndUnknownCommitAnswer404() {
        Pushed p = sampleRepo(uniqueDockerfile());
        byte[] noRepo = pushPayload("acme/widget", p.commit(), tmp.resolve("does-not-exist").toUri().toString());
        deliver("push", noRepo, SIGNER.sign(noRepo), UUID.randomUUID().toString())
                .statusCode(404).body("error", equalTo("repository-not-found"));

        String absent = "deadbeef".repeat(5);
        byte[] noCommit = pushPayload("acme/widget", absent, p.repo().url());
        deliver("push", noCommit, SIGNER.sign(noCommit), UUID.randomUUID().toString())
                .statusCode(404).body("error", equalTo("commit-not-found"));
    }

    @Test
    void metricsHealthAndOpenApiAreServed() {
        byte[] body = "{}".getBytes();
        deliver("ping", body, SIGNER.sign(body), UUID.randomUUID().toString()).statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("imagefarm_hasher_webhooks_total{outcome=\"ping\""));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("registry")).body(containsString("Reactive Messaging")).body(containsString("kafka-topics"))
                .body(containsString("status-book")));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/resolve")).body(containsString("/webhooks/github"));
    }

    @Test
    void malformedPushPayloadAnswers400() {
        byte[] body = "{not json".getBytes();
        deliver("push", body, SIGNER.sign(body), UUID.randomUUID().toString()).statusCode(400).body("error", equalTo("malformed-json"));
    }
}
