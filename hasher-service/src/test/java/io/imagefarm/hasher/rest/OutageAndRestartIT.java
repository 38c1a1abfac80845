package io.imagefarm.hasher.rest;

import static io.imagefarm.hasher.HasherFixtures.asAdmin;

import static io.imagefarm.hasher.HasherFixtures.publishStatus;
import static io.imagefarm.hasher.HasherFixtures.uniqueDockerfile;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.hasher.KafkaTap;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.SampleRepository;
import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A hasher that starts after others have worked: it knows their statuses from the compacted topic
 * before it serves anything (what a restart or a second replica relies on). Its registry is down,
 * which must answer 503 and publish nothing.
 */
@QuarkusTest
@TestProfile(OutageAndRestartIT.Profile.class)
class OutageAndRestartIT {

    static final String HASH = "0123456789abcdef";
    static final String DEAD_REGISTRY;

    static {
        try {
            DEAD_REGISTRY = "127.0.0.1:" + LocalRegistry.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefarm.hasher.registry", DEAD_REGISTRY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaResource.class), new TestResourceEntry(PreloadedStatuses.class));
        }
    }

    /** Statuses another hasher and the workers wrote before this one started. */
    public static class PreloadedStatuses implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            SharedParts.kafka();
            for (String arch : List.of("amd64", "arm64")) {
                String image = DEAD_REGISTRY + "/acme/preloaded:builder-" + HASH + "-" + arch;
                publishStatus(new ImageStatus(1, image, "acme/preloaded", HASH, arch,
                        arch.equals("amd64") ? BuildState.BUILT : BuildState.BUILDING, arch.equals("amd64") ? "sha256:" + "a".repeat(64) : null,
                        null, null, null, null, null, null, "earlier", null, Instant.now()));
            }
            return Map.of();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void onceItsBookReportsReadyItKnowsTheStatusesOnTheTopicBeforeStartup() {
        // The replica as a whole is not ready (its registry is down); its status book check says when the replay is done.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'status-book' }.status", equalTo("UP")));
        asAdmin().queryParam("repository", "acme/preloaded").get("/api/v1/images/" + HASH).then().statusCode(200)
                .body("outcome", equalTo("PENDING"))
                .body("arches.find { it.arch == 'amd64' }.state", equalTo("BUILT"))
                .body("arches.find { it.arch == 'arm64' }.state", equalTo("BUILDING"));
    }

    @Test
    void registryOutageAnswers503AndPublishesNothing() {
        String commit = UUID.randomUUID().toString().replace("-", "") + "00000000";
        try (KafkaTap tap = new KafkaTap(Topics.IMAGE_REQUIRED_PREFIX + "amd64", Topics.IMAGE_REQUIRED_PREFIX + "arm64")) {
            asAdmin().contentType(ContentType.JSON)
                    .body(Map.of("repository", "acme/outage", "commit", commit, "files", SampleRepository.seedFiles(uniqueDockerfile())))
                    .post("/api/v1/resolve").then().statusCode(503).body("error", equalTo("registry-unavailable"));
            org.assertj.core.api.Assertions.assertThat(tap.records(r -> r.value().contains(commit))).isEmpty();
        }
        given().get("/q/health/ready").then().statusCode(503);
    }
}
