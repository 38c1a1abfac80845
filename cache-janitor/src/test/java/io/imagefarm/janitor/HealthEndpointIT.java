package io.imagefarm.janitor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.imagefarm.janitor.it.JanitorTestResources;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Awaited: each check's client connects on the first call, which a busy host may answer past the check's limit. */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = JanitorTestResources.class, restrictToAnnotatedClass = false)
class HealthEndpointIT {

    @Test
    void serviceStartsAndReportsUp() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health")
                .then().statusCode(200)
                .body("status", equalTo("UP")));
    }

    @Test
    void readinessChecksEveryRegistryTheJanitorPrunes() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'registry' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'registry' }.data.size()", equalTo(2)));
    }
}
