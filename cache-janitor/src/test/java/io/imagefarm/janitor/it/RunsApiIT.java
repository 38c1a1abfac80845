package io.imagefarm.janitor.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.Topics;
import io.imagefarm.janitor.backend.GhcrStub;
import io.imagefarm.janitor.job.JanitorService;
import io.imagefarm.janitor.report.JanitorReport;
import io.imagefarm.janitor.report.RepositoryReport;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The service as deployed: the runs API over the configured repositories ({@code api-widget} on the real
 * registry, {@code ghcr-widget} on the GitHub Packages stub, see application.properties), the lease, the
 * report event on the real {@code imagefarm.janitor-reports} topic, and the Prometheus metrics.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = JanitorTestResources.class, restrictToAnnotatedClass = false)
class RunsApiIT {

    @Inject
    JanitorService janitor;

    /** API tokens of the test profile; application.properties holds only their SHA-256 digests. */
    static final String ADMIN_TOKEN = "it-admin-token";
    static final String CI_TOKEN = "it-ci-token-acme";

    static io.restassured.specification.RequestSpecification asAdmin() {
        return given().auth().oauth2(ADMIN_TOKEN);
    }

    @Test
    void aForcedRunWithoutAdminIsRefusedAndDeletesNothing() {
        RegistrySeeder seeder = new RegistrySeeder(SharedParts.registry());
        String repo = "api/widget";
        Instant now = Instant.now();
        for (int n = 1; n <= 4; n++) {
            OciJanitorIT.pushHash(seeder, repo, n, now.minus(Duration.ofDays(5L * n)));
        }
        String forced = "{\"dryRun\":false,\"force\":true}";

        given().contentType(ContentType.JSON).body(forced).post("/api/v1/janitor/runs").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer")).body("error", equalTo("unauthorized"));
        given().auth().oauth2("a-token-nobody-configured").contentType(ContentType.JSON).body(forced).post("/api/v1/janitor/runs")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().auth().oauth2(CI_TOKEN).contentType(ContentType.JSON).body(forced).post("/api/v1/janitor/runs")
                .then().statusCode(403).body("error", equalTo("forbidden"));

        for (int n = 1; n <= 4; n++) {
            assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + OciJanitorIT.tag(n))).as("hash %d kept", n).isEqualTo(200);
        }
        given().get("/api/v1/janitor/runs/latest").then().statusCode(401);
        given().auth().oauth2(CI_TOKEN).get("/api/v1/janitor/runs/latest").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(404)));
    }

    static String tag(int n) {
        return "builder-" + String.format("%016x", 0xa91000L + n);
    }

    @Test
    void aManualRunIsADryRunByDefaultThenAppliesOnRequestAndIsReportedOnKafkaAndInMetrics() {
        RegistrySeeder seeder = new RegistrySeeder(SharedParts.registry());
        String repo = "api/widget";
        Instant now = Instant.now();
        for (int n = 1; n <= 4; n++) {
            OciJanitorIT.pushHash(seeder, repo, n, now.minus(Duration.ofDays(5L * n)));
        }
        GhcrStub stub = JanitorTestResources.ghcrStub();
        stub.reset();
        stub.image("orgs/acme/widget", now.minus(Duration.ofDays(3)), tag(1) + "-amd64");
        stub.image("orgs/acme/widget", now.minus(Duration.ofDays(30)), tag(2) + "-amd64");
        Seeding.requested(SharedParts.registry().host() + "/" + repo, Map.of());

        await("janitor lease").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                asAdmin().get("/api/v1/janitor/lease").then().statusCode(200).body("held", equalTo(true)));

        JanitorReport dry = asAdmin().contentType(ContentType.JSON).body("{}").post("/api/v1/janitor/runs")
                .then().statusCode(200).extract().as(JanitorReport.class);
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.outcome()).as(dry.error() + " " + dry.repositories().stream().map(r -> r.id() + ": " + r.error()).toList()).isEqualTo(JanitorReport.Outcome.DRY_RUN);
        assertThat(dry.repository("api-widget").plannedDeletions()).isEqualTo(6); // keep-hashes=2: hashes 3 and 4 go
        assertThat(dry.repository("api-widget").plan()).hasSize(12);
        assertThat(dry.repository("ghcr-widget").plannedDeletions()).isEqualTo(1);
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + OciJanitorIT.tag(4))).isEqualTo(200);

        JanitorReport applied = asAdmin().contentType(ContentType.JSON).body("{\"dryRun\":false,\"repositories\":[\"api-widget\"]}")
                .post("/api/v1/janitor/runs").then().statusCode(200).extract().as(JanitorReport.class);
        assertThat(applied.outcome()).isEqualTo(JanitorReport.Outcome.APPLIED);
        assertThat(applied.repositories()).hasSize(1);
        assertThat(applied.repository("api-widget").deleted()).isEqualTo(6);
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + OciJanitorIT.tag(4))).isEqualTo(404);
        assertThat(seeder.headStatus("/v2/" + repo + "/manifests/" + OciJanitorIT.tag(2))).isEqualTo(200);

        asAdmin().get("/api/v1/janitor/runs/latest").then().statusCode(200).body("runId", equalTo(applied.runId()));
        asAdmin().contentType(ContentType.JSON).body("{\"repositories\":[\"nope\"]}").post("/api/v1/janitor/runs").then().statusCode(400);

        // Every deleted builder tag is DELETED on the status topic, keyed by its image ref as the hasher keys it.
        List<String> deletedTags = applied.repository("api-widget").deletions().stream()
                .flatMap(d -> d.tags().stream()).filter(t -> t.startsWith("builder-")).toList();
        assertThat(deletedTags).hasSize(6);
        Map<String, io.imagefarm.core.event.ImageStatus> statuses = readStatuses(deletedTags.size());
        for (String tag : deletedTags) {
            String key = SharedParts.registry().host() + "/" + repo + ":" + tag;
            assertThat(statuses).as(key).containsKey(key);
            assertThat(statuses.get(key).state()).isEqualTo(io.imagefarm.core.event.BuildState.DELETED);
            assertThat(statuses.get(key).versionHash()).isEqualTo(tag.substring("builder-".length(), "builder-".length() + 16));
        }

        List<JanitorReport> events = readReports();
        assertThat(events).extracting(JanitorReport::runId).contains(dry.runId(), applied.runId());
        JanitorReport event = events.stream().filter(e -> e.runId().equals(applied.runId())).findFirst().orElseThrow();
        assertThat(event.repository("api-widget").deleted()).isEqualTo(6);
        assertThat(event.repository("api-widget").plan()).isNull();
        assertThat(event.repository("api-widget").deletions()).hasSize(6);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("imagefarm_janitor_tags_scanned_total{repository=\"" + SharedParts.registry().host() + "/api/widget\"}")
                .contains("imagefarm_janitor_kept_total").contains("reason=\"newest_hash\"")
                .contains("imagefarm_janitor_deleted_total").contains("imagefarm_janitor_failed_total")
                .contains("imagefarm_janitor_bytes_reclaimable").contains("imagefarm_janitor_run_duration_seconds");
    }

    static ValidatableResponse postRun(String body) {
        return asAdmin().contentType(ContentType.JSON).body(body).post("/api/v1/janitor/runs").then();
    }

    /** 400 with the hasher's error shape: {"error": code, "message": ..., "field": ...}. */
    static ValidatableResponse refused(String body, String code, String field) {
        return postRun(body).statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo(code)).body("field", equalTo(field));
    }

    @Test
    void malformedJsonIsA400NamingTheLineAndColumn() {
        postRun("{\"dryRun\": true,\n \"force\": fals}").statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("malformed-json"))
                .body("field", equalTo("force"))
                .body("message", startsWith("malformed JSON at line 2, column 11 in \"force\": Unrecognized token 'fals'"));
        postRun("{\"dryRun\": true,}").statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("malformed-json"))
                .body("message", startsWith("malformed JSON at line 1, column 17: "));
    }

    @Test
    void dryRunYesIsA400NamingTheField() {
        refused("{\"dryRun\":\"yes\"}", "invalid-field", "dryRun")
                .body("message", equalTo("\"dryRun\" must be true or false (a JSON boolean), not the string \"yes\""));
    }

    @Test
    void dryRunAsTheStringTrueIsA400NotCoercedToARun() {
        refused("{\"dryRun\":\"true\"}", "invalid-field", "dryRun")
                .body("message", containsString("not the string \"true\""));
        refused("{\"dryRun\":\"false\",\"force\":true}", "invalid-field", "dryRun");
    }

    @Test
    void dryRunAsTheNumberOneIsA400NotCoercedToARun() {
        refused("{\"dryRun\":1}", "invalid-field", "dryRun")
                .body("message", containsString("not the number 1"));
        refused("{\"force\":0}", "invalid-field", "force");
    }

    @Test
    void repositoriesAsAStringIsA400NamingTheField() {
        refused("{\"repositories\":\"x\"}", "invalid-field", "repositories")
                .body("message", equalTo("\"repositories\" must be an array of repository ids (JSON strings), not the string \"x\""));
        refused("{\"repositories\":[\"api-widget\",7]}", "invalid-field", "repositories[1]");
    }

    @Test
    void unknownFieldsAndRepositoriesAre400sNamingThem() {
        refused("{\"dry_run\":false}", "unknown-field", "dry_run")
                .body("message", startsWith("unknown field \"dry_run\"; the body takes dryRun"));
        refused("{\"repositories\":[\"nope\"]}", "unknown-repository", "repositories")
                .body("message", startsWith("unknown repositories [nope]; configured: ["));
    }

    @Test
    void aStrictlyValidRequestStillRuns() {
        await("janitor lease").atMost(Duration.ofSeconds(30)).until(janitor::leaseHeld);
        JanitorReport report = postRun("{\"dryRun\": true, \"force\": false, \"repositories\": [\"api-widget\"]}")
                .statusCode(200).extract().as(JanitorReport.class);
        assertThat(report.dryRun()).isTrue();
        assertThat(report.trigger()).isEqualTo(JanitorReport.Trigger.API);
        assertThat(report.repositories()).extracting(RepositoryReport::id).containsExactly("api-widget");
    }

    @Test
    void theScheduledTriggerRunsAppliesAndSkipsNothingWhenIdle() {
        Seeding.requested(SharedParts.registry().host() + "/api/widget", Map.of());
        await("janitor lease").atMost(Duration.ofSeconds(30)).until(janitor::leaseHeld);
        assertThat(janitor.runScheduled()).hasValueSatisfying(r -> {
            assertThat(r.trigger()).isEqualTo(JanitorReport.Trigger.SCHEDULED);
            assertThat(r.dryRun()).isFalse();
        });
    }

    /** The latest DELETED status per key on the status topic, once at least {@code expected} are there. */
    static Map<String, io.imagefarm.core.event.ImageStatus> readStatuses(int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedParts.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "runs-api-it-status-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, io.imagefarm.core.event.ImageStatus> deleted = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.IMAGE_STATUS));
            await("DELETED statuses").atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && r.value().contains("\"DELETED\"")) {
                        deleted.put(r.key(), EventCodec.decode(r.value(), io.imagefarm.core.event.ImageStatus.class));
                    }
                }
                return deleted.size() >= expected;
            });
        }
        return deleted;
    }

    static List<JanitorReport> readReports() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedParts.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "runs-api-it-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<JanitorReport> reports = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.JANITOR_REPORTS));
            await("janitor reports").atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    JanitorReport report = EventCodec.decode(r.value(), JanitorReport.class);
                    assertThat(r.key()).isEqualTo(report.runId());
                    reports.add(report);
                }
                return reports.size() >= 2;
            });
        }
        return reports;
    }
}
