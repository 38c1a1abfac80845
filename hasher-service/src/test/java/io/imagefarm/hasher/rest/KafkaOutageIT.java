package io.imagefarm.hasher.rest;

import static io.imagefarm.hasher.HasherFixtures.asAdmin;

import static io.imagefarm.hasher.HasherFixtures.uniqueDockerfile;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.imagefarm.testsupport.InProcessKafka;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.SampleRepository;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A hasher whose Kafka broker goes away: requests answer 503, never a pretended success. */
@QuarkusTest
@TestProfile(KafkaOutageIT.Profile.class)
class KafkaOutageIT {

    static InProcessKafka privateBroker;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PrivateBroker.class), new TestResourceEntry(RegistryResource.class));
        }
    }

    /** A broker of its own, so stopping it leaves the other tests' broker alone. */
    public static class PrivateBroker implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            privateBroker = InProcessKafka.start();
            return Map.of("kafka.bootstrap.servers", privateBroker.bootstrapServers(), "quarkus.kafka.devservices.enabled", "false");
        }

        @Override
        public void stop() {
            // stopped by the test; nothing left to do
        }
    }

    static Map<String, Object> resolveBody() {
        return Map.of("repository", "acme/kafka-outage", "commit", UUID.randomUUID().toString().replace("-", "") + "00000000",
                "files", SampleRepository.seedFiles(uniqueDockerfile()));
    }

    @Test
    void brokerOutageAnswers503InsteadOfPretendingSuccess() {
        asAdmin().contentType(ContentType.JSON).body(resolveBody()).post("/api/v1/resolve").then().statusCode(200);

        privateBroker.close();

        asAdmin().contentType(ContentType.JSON).body(resolveBody()).post("/api/v1/resolve").then()
                .statusCode(503).body("error", equalTo("kafka-unavailable"));
    }
}
