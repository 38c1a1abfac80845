package io.imagefarm.hasher.rest;

import static io.imagefarm.hasher.HasherFixtures.ADMIN_TOKEN;
import static io.imagefarm.hasher.HasherFixtures.publishStatus;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.hasher.resolve.StatusBook;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.OidcIssuerResource;
import io.imagefarm.testsupport.RegistryResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** /wait holds no state for unknown hashes, releases every waiter when its request ends, and is bounded per replica. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(RegistryResource.class)
@QuarkusTestResource(OidcIssuerResource.class)
class WaitBoundsIT {

    /** %test.imagefarm.hasher.await.max-waiters */
    static final int MAX_WAITERS = 50;

    @Inject
    StatusBook book;

    @TestHTTPResource("/")
    URL root;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CompletableFuture<HttpResponse<String>> waitFor(String hash, String repository, int timeoutSeconds) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(root + "api/v1/images/" + hash + "/wait?repository=" + repository
                        + "&timeout=" + timeoutSeconds)).header("Authorization", "Bearer " + ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twentyThousandWaitsForRandomHashesLeaveNoWaiterBehind() throws Exception {
        Random random = new Random(42);
        Semaphore inFlight = new Semaphore(64);
        AtomicInteger ok = new AtomicInteger();
        Map<Integer, Integer> codes = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[8];
            random.nextBytes(bytes);
            inFlight.acquire();
            all.add(waitFor(HexFormat.of().formatHex(bytes), "acme/flood", 1).whenComplete((r, e) -> {
                inFlight.release();
                if (r != null) {
                    codes.merge(r.statusCode(), 1, Integer::sum);
                    ok.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

        assertThat(codes).containsOnlyKeys(200);
        assertThat(ok.get()).isEqualTo(20_000);
        assertThat(book.waiters().active()).as("waiting requests").isZero();
        assertThat(book.waiters().hashes()).as("hashes with a waiter entry").isZero();
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("imagefarm_hasher_await_waiters 0.0"));
    }

    @Test
    void waitersForAKnownHashAreBoundedAnsweredWith429AndAllReleasedAfterTheirTimeout() {
        String hash = "fedcba9876543210";
        String image = "127.0.0.1:5000/acme/bounded:builder-" + hash + "-amd64";
        publishStatus(new ImageStatus(ImageStatus.SCHEMA_VERSION, image, "acme/bounded", hash, "amd64", BuildState.BUILDING,
                null, null, null, null, null, null, null, java.util.UUID.randomUUID().toString(), null, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> book.knows(hash));

        List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
        for (int i = 0; i < MAX_WAITERS + 20; i++) {
            waits.add(waitFor(hash, "acme/bounded", 3));
        }
        List<HttpResponse<String>> answers = waits.stream().map(CompletableFuture::join).toList();

        List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(refused).hasSizeGreaterThanOrEqualTo(20);
        assertThat(refused.get(0).headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.get(0).body()).contains("\"error\":\"too-many-waiters\"");
        assertThat(answers.stream().filter(r -> r.statusCode() == 200)).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(book.waiters().active()).isZero();
            assertThat(book.waiters().hashes()).isZero();
        });
    }
}
