package io.imagefarm.hasher.rest;

import static io.imagefarm.hasher.HasherFixtures.asAdmin;

import static io.imagefarm.hasher.HasherFixtures.publishStatus;
import static io.imagefarm.hasher.HasherFixtures.uniqueDockerfile;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.hasher.KafkaTap;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.RegistrySeeder.Pushed;
import io.imagefarm.testsupport.SampleRepository;
import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(RegistryResource.class)
class ResolveApiIT {

    static KafkaTap tap;

    @BeforeAll
    static void tapTopics() {
        tap = new KafkaTap(Topics.imageRequired(Arch.AMD64), Topics.imageRequired(Arch.ARM64));
    }

    @AfterAll
    static void closeTap() {
        tap.close();
    }

    static String commit() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 32) + "00000000";
    }

    static Map<String, Object> body(String repository, String commit, Map<String, String> files) {
        Map<String, Object> body = new HashMap<>();
        body.put("repository", repository);
        body.put("commit", commit);
        body.put("files", files);
        return body;
    }

    static Response post(String path, Object body) {
        return asAdmin().contentType(ContentType.JSON).body(body).when().post(path);
    }

    static List<ConsumerRecord<String, String>> eventsFor(String versionHash) {
        return tap.records(r -> r.value().contains("\"versionHash\":\"" + versionHash + "\""));
    }

    /** The refs a set of files maps to, from the pure hash endpoint. */
    static Response hash(String repository, Map<String, String> files) {
        return post("/api/v1/hash", body(repository, null, files));
    }

    @Test
    void deeplyNestedInputsAndBodiesAreRefusedWithA4xxAndAJsonBodyNeverA500() {
        Map<String, String> toml = SampleRepository.seedFiles(uniqueDockerfile());
        toml.put("rust-toolchain.toml", "a = " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        hash("acme/hostile", toml).then().statusCode(422).contentType(ContentType.JSON)
                .body("error", equalTo("invalid-repository-files")).body("file", equalTo("rust-toolchain.toml"));

        Map<String, String> json = SampleRepository.seedFiles(uniqueDockerfile());
        json.put("package.json", "{\"engines\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");
        hash("acme/hostile", json).then().statusCode(422).contentType(ContentType.JSON)
                .body("error", equalTo("invalid-repository-files")).body("file", equalTo("package.json"));

        String deepBody = "{\"repository\":\"acme/hostile\",\"files\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        // refused at its first '[': files takes an object of strings (the edge's strict reading), long before the depth bound
        post("/api/v1/hash", deepBody).then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid-field"))
                .body("field", equalTo("files"));
        String deepUnknown = "{\"repository\":\"acme/hostile\",\"files\":{\"a\":\"b\"},\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        // a record's creator reads an unknown field's value before refusing the field: the depth bound answers first
        post("/api/v1/hash", deepUnknown).then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("malformed-json"));
    }

    @Test
    void hashEndpointComputesRefsWithoutRegistryOrKafka() {
        Map<String, String> files = SampleRepository.seedFiles("FROM quay.io/pypa/manylinux_2_28_x86_64\nRUN echo hi\n");
        files.put("rust-toolchain.toml", "[toolchain]\nchannel = \"1.83.0\"\n");
        files.put("package.json", "{\"engines\":{\"node\":\"^22.11.0\",\"pnpm\":\"^9.15.0\"}}\n");
        files.put("pyproject.toml", "[tool.uv]\nrequired-version = \">=0.5.11\"\n");

        hash("Acme/Widget", files).then().statusCode(200)
                .body("versionHash", equalTo("5ea78654994769b1"))
                .body("imageBase", containsString("/acme/widget:builder-5ea78654994769b1"))
                .body("arches.image", org.hamcrest.Matchers.hasItem(containsString(":builder-5ea78654994769b1-arm64")));
    }

    @Test
    void imageThatExistsAsIndexOrAsManifestIsReportedExistsAndNothingIsPublished() {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        Response refs = hash("acme/exists", files);
        String amd = refs.path("arches.find { it.arch == 'amd64' }.image");
        String arm = refs.path("arches.find { it.arch == 'arm64' }.image");
        String hash = refs.path("versionHash");
        RegistrySeeder seeder = new RegistrySeeder(SharedParts.registry());
        ImageRef amdRef = ImageRef.parse(amd);
        Pushed child = seeder.pushImage(amdRef.repository(), "child-" + hash, "amd64", Instant.now(), hash);
        seeder.pushIndex(amdRef.repository(), amdRef.tag(), List.of(child));           // amd64 tag is an index
        seeder.pushImage(amdRef.repository(), ImageRef.parse(arm).tag(), "arm64", Instant.now(), hash); // arm64 a manifest

        post("/api/v1/resolve", body("acme/exists", commit(), files)).then().statusCode(200)
                .body("arches.state", org.hamcrest.Matchers.everyItem(equalTo("EXISTS")))
                .body("arches.published", org.hamcrest.Matchers.everyItem(equalTo(false)));

        post("/api/v1/resolve", body("acme/exists", commit(), files)).then().statusCode(200);
        assertThat(eventsFor(hash)).isEmpty();
    }

    @Test
    void hundredConcurrentRequestsForOneCommitPublishExactlyOneEventPerMissingArch() throws Exception {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        String commit = commit();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(() -> post("/api/v1/resolve", body("acme/dedup", commit, files)).statusCode());
            }
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                codes.add(f.get());
            }
            assertThat(codes).containsOnly(200);
        } finally {
            pool.shutdown();
        }
        String hash = hash("acme/dedup", files).path("versionHash");

        List<ConsumerRecord<String, String>> events = await().atMost(Duration.ofSeconds(20))
                .until(() -> eventsFor(hash), l -> l.size() >= 2);
        // a late duplicate would show up on a poll after the first two; give it one more round
        post("/api/v1/resolve", body("acme/dedup", commit, files)).then().statusCode(200)
                .body("arches.deduplicated", org.hamcrest.Matchers.everyItem(equalTo(true)));
        assertThat(eventsFor(hash)).hasSize(2);
        assertThat(events).extracting(ConsumerRecord::topic)
                .containsExactlyInAnyOrder(Topics.imageRequired(Arch.AMD64), Topics.imageRequired(Arch.ARM64));
    }

    @Test
    void requestedStatusFromAnotherReplicaOnTheTopicSuppressesANewRequest() {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        Response refs = hash("acme/replica", files);
        String hash = refs.path("versionHash");
        for (String image : List.<String>of(refs.path("arches[0].image"), refs.path("arches[1].image"))) {
            publishStatus(new ImageStatus(1, image, "acme/replica", hash, image.substring(image.lastIndexOf('-') + 1),
                    BuildState.BUILDING, null, null, null, null, null, null, null, "other", null, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                asAdmin().queryParam("repository", "acme/replica").get("/api/v1/images/" + hash).then()
                        .body("arches.state", org.hamcrest.Matchers.everyItem(equalTo("BUILDING"))));

        post("/api/v1/resolve", body("acme/replica", commit(), files)).then().statusCode(200)
                .body("arches.deduplicated", org.hamcrest.Matchers.everyItem(equalTo(true)));
        assertThat(eventsFor(hash)).isEmpty();
    }

    @Test
    void waitAnswersReadyOnlyOnceEveryArchIsBuiltAndTheIndexIsInTheRegistry() throws Exception {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        Response resolved = post("/api/v1/resolve", body("acme/built", commit(), files));
        resolved.then().statusCode(200);
        String hash = resolved.path("versionHash");
        List<ImageRequired> events = await().atMost(Duration.ofSeconds(20)).until(
                () -> eventsFor(hash).stream().map(r -> EventCodec.decode(r.value(), ImageRequired.class)).toList(), l -> l.size() == 2);

        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> asAdmin()
                .queryParam("repository", "acme/built").queryParam("timeout", "PT60S")
                .get("/api/v1/images/" + hash + "/wait"));

        RegistrySeeder seeder = new RegistrySeeder(SharedParts.registry());
        Map<String, String> digests = new HashMap<>();
        String attestation = null;
        for (ImageRequired event : events) {   // what the workers would do: push, then report BUILT
            ImageRef image = ImageRef.parse(event.image());
            String arch = event.platform().substring("linux/".length());
            Pushed pushed;
            if (arch.equals("amd64")) { // a worker with provenance: an index of the image and its attestation
                RegistrySeeder.ProvenancePush push = seeder.pushProvenanceIndex(image.repository(), image.tag(), arch,
                        Instant.now(), hash);
                pushed = push.index();
                digests.put(arch, push.image().digest());
                attestation = push.attestation().digest();
            } else { // an image built before provenance: the manifest itself
                pushed = seeder.pushImage(image.repository(), image.tag(), arch, Instant.now(), hash);
                digests.put(arch, pushed.digest());
            }
            publishStatus(ImageStatus.built(event, pushed.digest(), new ImageStatus.BuildTimings(1, 2, 3), 1, 2, Instant.now()));
        }

        Response answer = waiting.get(70, java.util.concurrent.TimeUnit.SECONDS);
        // READY means usable: the index CI runs in is already in the registry when /wait says so.
        answer.then().statusCode(200).body("outcome", equalTo("READY")).body("arches", hasSize(2))
                .body("index.state", equalTo("BUILT")).body("index.digest", org.hamcrest.Matchers.startsWith("sha256:"));
        ImageRef index = ImageRef.parse(resolved.path("imageBase"));
        var manifest = seeder.get("/v2/" + index.repository() + "/manifests/" + index.tag());
        assertThat(manifest.statusCode()).isEqualTo(200);
        Manifest parsed = Manifest.parse(manifest.body().getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_INDEX);
        assertThat(parsed.isIndex()).isTrue();
        // one level: each platform's image, and amd64's attestation of its image, never a per-arch index
        assertThat(parsed.children()).extracting(d -> d.platform().architecture() + "=" + d.digest())
                .containsExactlyInAnyOrder("amd64=" + digests.get("amd64"), "unknown=" + attestation, "arm64=" + digests.get("arm64"));
        assertThat(parsed.children()).extracting(io.imagefarm.core.registry.Descriptor::mediaType).containsOnly(MediaTypes.OCI_MANIFEST);
        assertThat(io.imagefarm.core.registry.Manifests.attestations(parsed)).containsExactly(Map.entry(attestation, digests.get("amd64")));
        assertThat(parsed.annotations()).containsEntry("io.imagefarm.version-hash", hash);
    }

    /** What the workers would do for these events: push each arch, then report BUILT. */
    static void buildAll(RegistrySeeder seeder, List<ImageRequired> events, String hash) {
        for (ImageRequired event : events) {
            ImageRef image = ImageRef.parse(event.image());
            String arch = event.platform().substring("linux/".length());
            Pushed pushed = seeder.pushImage(image.repository(), image.tag(), arch, Instant.now(), hash + UUID.randomUUID());
            publishStatus(ImageStatus.built(event, pushed.digest(), new ImageStatus.BuildTimings(1, 2, 3), 1, 2, Instant.now()));
        }
    }

    @Test
    void afterTheJanitorDeletesAHashTheNextResolveRebuildsItAndTheIndexIsPushedAgain() {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        Response first = post("/api/v1/resolve", body("acme/pruned", commit(), files));
        String hash = first.path("versionHash");
        ImageRef index = ImageRef.parse(first.path("imageBase"));
        RegistrySeeder seeder = new RegistrySeeder(SharedParts.registry());
        buildAll(seeder, await().atMost(Duration.ofSeconds(20)).until(
                () -> eventsFor(hash).stream().map(r -> EventCodec.decode(r.value(), ImageRequired.class)).toList(), l -> l.size() == 2), hash);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> asAdmin().queryParam("repository", "acme/pruned")
                .get("/api/v1/images/" + hash).then().body("outcome", equalTo("READY")));
        // READY shows as soon as the hasher pushed the index; its BUILT reaches the topic a moment later, and
        // a DELETED published before it would be overtaken by it
        try (KafkaTap statuses = new KafkaTap(Topics.IMAGE_STATUS)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !statuses.records(r -> index.toString().equals(r.key())
                    && r.value() != null && EventCodec.decode(r.value(), ImageStatus.class).state() == BuildState.BUILT).isEmpty());
        }

        // The janitor prunes the hash: manifests deleted by digest, DELETED on the status topic for each tag.
        List<String> refs = new ArrayList<>(List.of(index.toString()));
        first.jsonPath().getList("arches.image", String.class).forEach(refs::add);
        for (String ref : refs) {
            ImageRef r = ImageRef.parse(ref);
            String digest = seeder.head("/v2/" + r.repository() + "/manifests/" + r.tag()).headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertThat(seeder.delete("/v2/" + r.repository() + "/manifests/" + digest).statusCode()).isEqualTo(202);
            String arch = ref.equals(index.toString()) ? null : ref.substring(ref.lastIndexOf('-') + 1);
            publishStatus(ImageStatus.deleted(ref, "acme/pruned", hash, arch, digest, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> asAdmin().queryParam("repository", "acme/pruned")
                .get("/api/v1/images/" + hash).then().body("outcome", equalTo("UNKNOWN"))
                .body("index.state", equalTo("DELETED")));

        post("/api/v1/resolve", body("acme/pruned", commit(), files)).then().statusCode(200)
                .body("arches.published", org.hamcrest.Matchers.everyItem(equalTo(true)));
        List<ImageRequired> again = await().atMost(Duration.ofSeconds(20)).until(
                () -> eventsFor(hash).stream().map(r -> EventCodec.decode(r.value(), ImageRequired.class)).toList(), l -> l.size() == 4);
        buildAll(seeder, again.subList(2, 4), hash);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> asAdmin().queryParam("repository", "acme/pruned")
                .get("/api/v1/images/" + hash).then().body("outcome", equalTo("READY")).body("index.state", equalTo("BUILT")));
        assertThat(seeder.headStatus("/v2/" + index.repository() + "/manifests/" + index.tag())).as("index pushed again").isEqualTo(200);
    }

    @Test
    void aPermanentFailureIsAnsweredToEveryResolvePublishingNothingUntilAnAdminRetries() {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        String commit = commit();
        Response first = post("/api/v1/resolve", body("acme/broken", commit, files));
        String hash = first.path("versionHash");
        List<ImageRequired> events = await().atMost(Duration.ofSeconds(20)).until(
                () -> eventsFor(hash).stream().map(r -> EventCodec.decode(r.value(), ImageRequired.class)).toList(), l -> l.size() == 2);
        ImageRequired amd = events.stream().filter(e -> e.platform().endsWith("amd64")).findFirst().orElseThrow();
        publishStatus(ImageStatus.failed(amd, FailureKind.BUILD_ERROR, "RUN false: exit code 1", "#5 ERROR: process \"false\"", Instant.now()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> asAdmin().queryParam("repository", "acme/broken")
                .get("/api/v1/images/" + hash).then().body("outcome", equalTo("FAILED")));

        for (int i = 0; i < 2; i++) {
            post("/api/v1/resolve", body("acme/broken", commit, files)).then().statusCode(200)
                    .body("arches.find { it.arch == 'amd64' }.state", equalTo("FAILED"))
                    .body("arches.find { it.arch == 'amd64' }.published", equalTo(false))
                    .body("arches.find { it.arch == 'amd64' }.reason", equalTo("RUN false: exit code 1"))
                    .body("arches.find { it.arch == 'amd64' }.logTail", containsString("ERROR"));
        }
        assertThat(eventsFor(hash)).as("the broken build is not requested again").hasSize(2);

        given().auth().oauth2(io.imagefarm.hasher.HasherFixtures.CI_TOKEN).post("/api/v1/images/" + hash + "/retry?repository=acme/broken")
                .then().statusCode(403).body("error", equalTo("forbidden"));
        asAdmin().post("/api/v1/images/" + hash + "/retry?repository=acme/broken").then().statusCode(200)
                .body("forgotten", org.hamcrest.Matchers.contains("amd64"));

        post("/api/v1/resolve", body("acme/broken", commit, files)).then().statusCode(200)
                .body("arches.find { it.arch == 'amd64' }.published", equalTo(true));
        await().atMost(Duration.ofSeconds(20)).until(() -> eventsFor(hash).size() == 3);
    }

    @Test
    void waitReturnsFailedWithTheReasonWhenOneArchFails() {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        Response resolved = post("/api/v1/resolve", body("acme/failing", commit(), files));
        String hash = resolved.path("versionHash");
        ImageRequired arm = await().atMost(Duration.ofSeconds(20)).until(() -> eventsFor(hash).stream()
                .map(r -> EventCodec.decode(r.value(), ImageRequired.class))
                .filter(e -> e.platform().equals("linux/arm64")).findFirst().orElse(null), e -> e != null);

        publishStatus(ImageStatus.failed(arm, FailureKind.BUILD_ERROR, "RUN step 2 exited 1", "#5 ERROR: process did not complete", Instant.now()));

        asAdmin().queryParam("repository", "acme/failing").queryParam("timeout", "30")
                .get("/api/v1/images/" + hash + "/wait").then().statusCode(200)
                .body("outcome", equalTo("FAILED"))
                .body("arches.find { it.arch == 'arm64' }.reason", equalTo("RUN step 2 exited 1"))
                .body("arches.find { it.arch == 'arm64' }.failure", equalTo("BUILD_ERROR"));
    }

    @Test
    void waitTimesOutWhenNothingSettles() {
        Map<String, String> files = SampleRepository.seedFiles(uniqueDockerfile());
        String hash = post("/api/v1/resolve", body("acme/slow", commit(), files)).path("versionHash");

        asAdmin().queryParam("repository", "acme/slow").queryParam("timeout", "1")
                .get("/api/v1/images/" + hash + "/wait").then().statusCode(200).body("outcome", equalTo("TIMEOUT"));
    }

    @Test
    void malformedJsonInvalidRepositoryAndMissingFilesGetClear4xxErrors() {
        asAdmin().contentType(ContentType.JSON).body("{\"repository\": \"acme/x\", ").post("/api/v1/resolve")
                .then().statusCode(400).body("error", equalTo("malformed-json")).body("message", containsString("line 1"));
        post("/api/v1/resolve", body("acme/my..repo", commit(), SampleRepository.seedFiles("FROM x\n")))
                .then().statusCode(400).body("error", equalTo("invalid-repository")).body("message", containsString("acme/my..repo"));
        post("/api/v1/resolve", body("acme/x", "not-a-sha", SampleRepository.seedFiles("FROM x\n")))
                .then().statusCode(400).body("error", equalTo("invalid-commit")).body("message", containsString("invalid commit"));
        Map<String, String> noDockerfile = SampleRepository.seedFiles("FROM x\n");
        noDockerfile.remove(".devcontainer/Dockerfile");
        post("/api/v1/resolve", body("acme/x", commit(), noDockerfile))
                .then().statusCode(422).body("file", equalTo(".devcontainer/Dockerfile"));
        Map<String, String> badJson = SampleRepository.seedFiles("FROM x\n");
        badJson.put("package.json", "{\"engines\": [}");
        post("/api/v1/resolve", body("acme/x", commit(), badJson))
                .then().statusCode(422).body("file", equalTo("package.json")).body("message", containsString("invalid JSON"));
        post("/api/v1/resolve", body("stranger/x", commit(), SampleRepository.seedFiles("FROM x\n")))
                .then().statusCode(403);
        asAdmin().get("/api/v1/images/nothex/wait?repository=acme/x").then().statusCode(400).body("error", equalTo("invalid-version-hash"));
    }
}
