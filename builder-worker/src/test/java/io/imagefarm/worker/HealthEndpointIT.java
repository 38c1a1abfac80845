package io.imagefarm.worker;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.worker.testing.LeftoverJobFolderResource;
import io.imagefarm.worker.testing.RegistryRelayResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Shares BuildWorkerIT's Quarkus boot (same resources, same profile). Awaited: each check's client connects
 * on the first call, which a busy host may answer past the check's limit.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryRelayResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LeftoverJobFolderResource.class, restrictToAnnotatedClass = false)
class HealthEndpointIT {

    @Test
    void serviceStartsAndReportsUp() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health")
                .then().statusCode(200)
                .body("status", equalTo("UP")));
    }

    @Test
    void readinessCoversTheKafkaConsumerTheDockerEngineAndTheDisk() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItems("docker-engine", "disk", "SmallRye Reactive Messaging - readiness check")));
    }
}
