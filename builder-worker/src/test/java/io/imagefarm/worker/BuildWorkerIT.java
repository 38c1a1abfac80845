package io.imagefarm.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.testsupport.BaseImages;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SharedParts;
import io.imagefarm.testsupport.SourceRepo;
import io.imagefarm.worker.buildx.DockerEngine;
import io.imagefarm.worker.messaging.RetryHeaders;
import io.imagefarm.worker.testing.KafkaTopics;
import io.imagefarm.worker.testing.LeftoverJobFolderResource;
import io.imagefarm.worker.testing.RegistryRelay;
import io.imagefarm.worker.testing.RegistryRelayResource;
import io.imagefarm.worker.testing.TestEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The amd64 worker in this JVM against real parts: the in-process Kafka broker, the Docker Engine
 * with buildx, and the shared local registry, which the worker reaches through a relay a test can take
 * down. Events are what the hasher writes for the commit (hashes computed from its five files).
 * Dockerfiles start FROM the busybox base image.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryRelayResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LeftoverJobFolderResource.class, restrictToAnnotatedClass = false)
class BuildWorkerIT {

    private static final Duration BUILD = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ImageRef base;
    private static KafkaTopics kafka;
    private static LocalRegistry registry;

    @RegistryRelayResource.Relay
    RegistryRelay relay;
    @Inject
    MeterRegistry meters;
    @Inject
    DockerEngine engine;

    @BeforeAll
    static void parts() {
        registry = SharedParts.registry();
        base = BaseImages.pushBusyboxBase(registry);
        kafka = new KafkaTopics(SharedParts.kafka().bootstrapServers(), Arch.AMD64);
    }

    @AfterAll
    static void close() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String dockerfile(String... runSteps) {
        StringBuilder s = new StringBuilder("FROM " + base + "\n");
        for (String step : runSteps) {
            s.append("RUN ").append(step).append('\n');
        }
        return s.toString();
    }

    private static ImageStatus awaitState(String image, BuildState state) {
        AtomicReference<ImageStatus> found = new AtomicReference<>();
        await(image + " " + state).atMost(BUILD).pollInterval(Duration.ofMillis(200)).until(() -> {
            kafka.statuses(image).stream().filter(s -> s.state() == state).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    private double count(String name, String... tags) {
        Counter c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private double attempts() {
        return count("imagefarm.worker.build.attempts", "arch", "amd64");
    }

    private static JsonNode manifest(LocalRegistry r, ImageRef image) throws IOException {
        var response = new RegistrySeeder(r).get("/v2/" + image.repository() + "/manifests/" + image.tag());
        assertThat(response.statusCode()).as("GET manifest " + image).isEqualTo(200);
        JsonNode m = JSON.readTree(response.body());
        m = ((com.fasterxml.jackson.databind.node.ObjectNode) m).put("_digest",
                response.headers().firstValue("Docker-Content-Digest").orElse(""));
        return m;
    }

    private static JsonNode config(LocalRegistry r, ImageRef image, JsonNode manifest) throws IOException {
        var response = new RegistrySeeder(r).get("/v2/" + image.repository() + "/blobs/" + manifest.path("config").path("digest").asText());
        return JSON.readTree(response.body());
    }

    private static JsonNode manifestByDigest(LocalRegistry r, ImageRef image, String digest) throws IOException {
        var response = new RegistrySeeder(r).get("/v2/" + image.repository() + "/manifests/" + digest);
        assertThat(response.statusCode()).as("GET manifest " + digest).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** A blob, fetched with plain HTTP from the registry (no project code reads it). */
    private static JsonNode blob(LocalRegistry r, ImageRef image, String digest) throws IOException {
        var response = new RegistrySeeder(r).get("/v2/" + image.repository() + "/blobs/" + digest);
        assertThat(response.statusCode()).as("GET blob " + digest).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void amd64EventIsPushedAsAnIndexOfItsImageAndItsProvenanceNamingTheCommitHashAndBase() throws IOException {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile("echo hello > /hello")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "single", source, commit, Arch.AMD64);
            kafka.send(event);

            ImageStatus built = awaitState(event.image(), BuildState.BUILT);

            assertThat(kafka.statuses(event.image())).extracting(ImageStatus::state)
                    .containsExactly(BuildState.BUILDING, BuildState.BUILT);
            assertThat(built.arch()).isEqualTo("amd64");
            assertThat(built.totalSteps()).isEqualTo(2);
            assertThat(built.timings()).isNotNull();
            ImageRef image = ImageRef.parse(event.image());
            Map<String, String> recorded = Map.of("org.opencontainers.image.source", source.url(),
                    "org.opencontainers.image.revision", commit,
                    "io.imagefarm.version-hash", event.versionHash(),
                    "io.imagefarm.repository", event.repository());

            // the tag is the per-arch index, and BUILT carries its digest (buildx's metadata file's)
            JsonNode index = manifest(registry, image);
            assertThat(index.path("mediaType").asText()).isEqualTo(RegistrySeeder.OCI_INDEX);
            assertThat(index.path("_digest").asText()).isEqualTo(built.digest());
            recorded.forEach((k, v) -> assertThat(index.path("annotations").path(k).asText()).as("index annotation " + k).isEqualTo(v));
            JsonNode entries = index.path("manifests");
            assertThat(entries).hasSize(2);
            JsonNode imageEntry = entries.get(0);
            JsonNode attestationEntry = entries.get(1);
            assertThat(imageEntry.path("platform").path("os").asText()).isEqualTo("linux");
            assertThat(imageEntry.path("platform").path("architecture").asText()).isEqualTo("amd64");
            String imageDigest = imageEntry.path("digest").asText();
            assertThat(attestationEntry.path("platform").path("architecture").asText()).isEqualTo("unknown");
            assertThat(attestationEntry.path("annotations").path("vnd.docker.reference.type").asText()).isEqualTo("attestation-manifest");
            assertThat(attestationEntry.path("annotations").path("vnd.docker.reference.digest").asText()).isEqualTo(imageDigest);

            // the image manifest: annotations and labels record repository, commit, hash and source
            JsonNode manifest = manifestByDigest(registry, image, imageDigest);
            recorded.forEach((k, v) -> assertThat(manifest.path("annotations").path(k).asText()).as("manifest annotation " + k).isEqualTo(v));
            JsonNode config = config(registry, image, manifest);
            assertThat(config.path("architecture").asText()).isEqualTo("amd64");
            JsonNode labels = config.path("config").path("Labels");
            recorded.forEach((k, v) -> assertThat(labels.path(k).asText()).as("label " + k).isEqualTo(v));
            assertThat(labels.path("io.imagefarm.version-string").asText()).isEqualTo(event.inputs().versionString());
            assertThat(labels.path("io.imagefarm.input.rust-channel").asText()).isEqualTo("1.83.0");

            // the provenance: SLSA v0.2 on that image's digest, built by this worker, from the base's digest
            JsonNode attestation = manifestByDigest(registry, image, attestationEntry.path("digest").asText());
            assertThat(attestation.path("layers")).hasSize(1);
            assertThat(attestation.path("layers").get(0).path("mediaType").asText()).isEqualTo("application/vnd.in-toto+json");
            JsonNode statement = blob(registry, image, attestation.path("layers").get(0).path("digest").asText());
            assertThat(statement.path("predicateType").asText()).isEqualTo("https://slsa.dev/provenance/v0.2");
            assertThat(statement.path("subject")).hasSize(1);
            assertThat("sha256:" + statement.path("subject").get(0).path("digest").path("sha256").asText()).isEqualTo(imageDigest);
            assertThat(statement.path("predicate").path("builder").path("id").asText())
                    .startsWith("urn:imagefarm:builder-worker:amd64:");
            List<String> baseDigests = baseDigests();
            assertThat(statement.path("predicate").path("materials")).as("materials name the base image's digest")
                    .anySatisfy(m -> assertThat("sha256:" + m.path("digest").path("sha256").asText()).isIn(baseDigests));
            JsonNode args = statement.path("predicate").path("invocation").path("parameters").path("args");
            assertThat(args.path("label:org.opencontainers.image.revision").asText()).isEqualTo(commit);
            assertThat(args.path("label:io.imagefarm.version-hash").asText()).isEqualTo(event.versionHash());
            // BUILT records what the worker verified: the commit and the inputs recomputed from its files
            assertThat(built.commit()).isEqualTo(commit);
            assertThat(built.versionHash()).isEqualTo(event.versionHash());
            assertThat(built.inputs()).isEqualTo(event.inputs());
            // the local copy is removed after the push
            assertThat(Processes.run(Duration.ofSeconds(30), List.of("docker", "image", "inspect", event.image())).ok()).isFalse();
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("imagefarm_worker_builds_total{arch=\"amd64\",failure=\"none\",outcome=\"BUILT\"}")
                    .contains("imagefarm_worker_build_duration_seconds_bucket")
                    .contains("imagefarm_worker_queue_lag_seconds_count")
                    .contains("imagefarm_worker_cache_hit_ratio{arch=\"amd64\"}")
                    .contains("imagefarm_worker_build_steps_total");
        }
    }

    /** The base's index digest and its platforms' manifest digests: a material names one of them. */
    private static List<String> baseDigests() throws IOException {
        JsonNode index = manifest(registry, base);
        List<String> digests = new java.util.ArrayList<>(List.of(index.path("_digest").asText()));
        index.path("manifests").forEach(m -> digests.add(m.path("digest").asText()));
        return digests;
    }

    @Test
    void duplicateEventMakesNoSecondBuild() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile("echo dup > /dup")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "dup", source, commit, Arch.AMD64);
            double before = attempts();
            kafka.send(event);
            kafka.send(event); // redelivered, or sent twice by the hasher

            awaitState(event.image(), BuildState.BUILT);
            awaitState(event.image(), BuildState.EXISTS);

            assertThat(attempts() - before).isEqualTo(1);
            assertThat(kafka.statuses(event.image())).extracting(ImageStatus::state)
                    .containsExactly(BuildState.BUILDING, BuildState.BUILT, BuildState.EXISTS);
        }
    }

    @Test
    void imageAlreadyInTheRegistryIsSkippedWithExists() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile("echo never > /never")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "present", source, commit, Arch.AMD64);
            ImageRef image = ImageRef.parse(event.image());
            RegistrySeeder.Pushed pushed = new RegistrySeeder(registry).pushImage(image.repository(), image.tag(), "amd64", Instant.now(), "x");
            double before = attempts();

            kafka.send(event);

            ImageStatus exists = awaitState(event.image(), BuildState.EXISTS);
            assertThat(exists.digest()).isEqualTo(pushed.digest());
            assertThat(kafka.statuses(event.image())).extracting(ImageStatus::state).containsExactly(BuildState.EXISTS);
            assertThat(attempts()).isEqualTo(before);
        }
    }

    /**
     * The event came in a transaction, as the hashers send it, so a commit marker follows it: once it is
     * done, the worker commits past the marker and KEDA's lag (newest offset minus committed) reads 0,
     * so an idle pool can scale in.
     */
    @Test
    void doneEventLeavesItsPartitionAtZeroLagAsKedaReadsItCommitMarkerIncluded() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile("echo never > /never")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "idle-lag", source, commit, Arch.AMD64);
            ImageRef image = ImageRef.parse(event.image());
            new RegistrySeeder(registry).pushImage(image.repository(), image.tag(), "amd64", Instant.now(), "x");
            double before = count("imagefarm.worker.marker.commits", "arch", "amd64");

            RecordMetadata sent = kafka.send(event);
            awaitState(event.image(), BuildState.EXISTS);

            TopicPartition tp = new TopicPartition(sent.topic(), sent.partition());
            await("KEDA's lag of builder-amd64 on " + tp).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> kafka.kedaLag("builder-amd64", tp) == 0);
            // counted when the commit's answer is back, which may be a moment after the broker applied it
            await("the marker commit counted").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(count("imagefarm.worker.marker.commits", "arch", "amd64")).isGreaterThan(before));
        }
    }

    @Test
    void failingRunStepGivesFailedWithTheLogTailAndNoRetry() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(
                    dockerfile("echo preparing-the-toolchain && echo the-step-broke >&2 && exit 3")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "broken", source, commit, Arch.AMD64);
            double attemptsBefore = attempts();
            double retriesBefore = meters.find("imagefarm.worker.build.retries").counters().stream().mapToDouble(Counter::count).sum();

            kafka.send(event);

            ImageStatus failed = awaitState(event.image(), BuildState.FAILED);
            assertThat(failed.failure()).isEqualTo(FailureKind.BUILD_ERROR);
            assertThat(failed.reason()).contains("exit code: 3");
            assertThat(failed.logTail()).contains("preparing-the-toolchain").contains("the-step-broke");
            assertThat(attempts() - attemptsBefore).isEqualTo(1);
            assertThat(meters.find("imagefarm.worker.build.retries").counters().stream().mapToDouble(Counter::count).sum())
                    .isEqualTo(retriesBefore);
        }
    }

    @Test
    void poisonEventGoesToTheDeadLetterTopicWhileTheNextEventStillBuilds() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile("echo after-poison > /p")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "after-poison", source, commit, Arch.AMD64);
            // same key as the good event: same partition, so the poison comes first
            kafka.send(Topics.imageRequired(Arch.AMD64), event.image(), "{not json".getBytes(StandardCharsets.UTF_8));
            kafka.send(event);

            awaitState(event.image(), BuildState.BUILT);
            await("poison in " + Topics.imageRequiredDeadLetter(Arch.AMD64)).atMost(Duration.ofSeconds(30))
                    .until(() -> kafka.deadLetters().stream().anyMatch(r -> event.image().equals(r.key())));
            ConsumerRecord<String, byte[]> dead = kafka.deadLetters().stream().filter(r -> event.image().equals(r.key())).findFirst().orElseThrow();
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            assertThat(KafkaTopics.headers(dead).get("dead-letter-reason")).contains("cannot decode");
            assertThat(KafkaTopics.headers(dead).get("dead-letter-topic")).isEqualTo(Topics.imageRequired(Arch.AMD64));
        }
    }

    @Test
    void registryDownDuringThePushIsRetriedAndThenSucceeds() throws IOException {
        AtomicBoolean wentDown = new AtomicBoolean();
        // The RUN step calls this server; it takes the worker's registry down while the build runs, before the push.
        HttpServer gate = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gate.createContext("/building", exchange -> {
            relay.down();
            wentDown.set(true);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        gate.start();
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile(
                    "wget -q -O /dev/null http://127.0.0.1:" + gate.getAddress().getPort() + "/building/" + TestEvents.randomHash() + " || true",
                    "echo built-while-the-registry-was-down > /note")));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "flaky", source, commit, Arch.AMD64);
            double retriesBefore = count("imagefarm.worker.build.retries", "arch", "amd64", "kind", "REGISTRY_UNAVAILABLE");

            kafka.send(event);

            await("a retry after the failed push").atMost(BUILD)
                    .until(() -> count("imagefarm.worker.build.retries", "arch", "amd64", "kind", "REGISTRY_UNAVAILABLE") > retriesBefore);
            assertThat(wentDown).as("the RUN step reached the gate and the registry went down").isTrue();
            relay.up();
            ImageStatus built = awaitState(event.image(), BuildState.BUILT);
            // attempt 1 failed the push: REQUESTED (the retry is queued), then the retry topic's attempts,
            // each REQUESTED again if the registry was still away, the last one BUILDING and BUILT
            List<ImageStatus> statuses = kafka.statuses(event.image());
            assertThat(statuses).extracting(ImageStatus::state).startsWith(BuildState.BUILDING, BuildState.REQUESTED)
                    .endsWith(BuildState.BUILDING, BuildState.BUILT).doesNotContain(BuildState.FAILED);
            assertThat(statuses).filteredOn(s -> s.state() == BuildState.REQUESTED).allSatisfy(s -> {
                assertThat(s.failure()).isEqualTo(FailureKind.REGISTRY_UNAVAILABLE);
                assertThat(s.reason()).startsWith("retry ").contains(" after REGISTRY_UNAVAILABLE: ").contains("; not before ");
            });
            await("the retry record").atMost(Duration.ofSeconds(30)).until(() -> !kafka.retryRecords(event.image()).isEmpty());
            var retry = KafkaTopics.headers(kafka.retryRecords(event.image()).get(0));
            assertThat(retry).containsEntry(RetryHeaders.ATTEMPT, "2")
                    .containsEntry(RetryHeaders.LAST_FAILURE, "REGISTRY_UNAVAILABLE");
            assertThat(manifest(registry, ImageRef.parse(event.image())).path("_digest").asText()).isEqualTo(built.digest());
        } finally {
            gate.stop(0);
            relay.up();
        }
    }

    @Test
    void rebuildOnAFreshHostTakesEarlierStepsFromTheRegistryCache() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String salt = TestEvents.randomHash();
            String first = source.commit(TestEvents.seedFiles(dockerfile(
                    "echo " + salt + " > /one", "echo two > /two", "echo three > /three")));
            ImageRequired v1 = TestEvents.imageRequired(relay.host(), "cached", source, first, Arch.AMD64);
            kafka.send(v1);
            ImageStatus builtV1 = awaitState(v1.image(), BuildState.BUILT);
            assertThat(builtV1.totalSteps()).isEqualTo(4);

            engine.pruneBuildCache(0); // a fresh host: nothing in the local build cache

            String second = source.commit(TestEvents.seedFiles(dockerfile(
                    "echo " + salt + " > /one", "echo two > /two", "echo THREE-changed > /three")));
            ImageRequired v2 = TestEvents.imageRequired(relay.host(), "cached", source, second, Arch.AMD64);
            kafka.send(v2);
            ImageStatus builtV2 = awaitState(v2.image(), BuildState.BUILT);

            assertThat(v2.cache()).isEqualTo(v1.cache());
            assertThat(builtV2.totalSteps()).isEqualTo(4);
            // the two unchanged RUN steps came from the registry cache; the changed last step ran
            assertThat(builtV2.cachedSteps()).isBetween(2, 3);
        }
    }

    @Test
    void buildLongerThanTheConnectorsDefaultMaxAgeKeepsTheWorkerHealthy() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles(dockerfile("sleep 65 && echo " + TestEvents.randomHash())));
            ImageRequired event = TestEvents.imageRequired(relay.host(), "long", source, commit, Arch.AMD64);
            double revokedBefore = count("imagefarm.worker.partitions.revoked");
            kafka.send(event);
            awaitState(event.image(), BuildState.BUILDING);
            Instant started = Instant.now();

            // 60 s is SmallRye's default max-age: past it, only the configured one keeps the channel alive
            await("the build in flight").atMost(BUILD).pollInterval(Duration.ofSeconds(2)).until(() -> {
                given().get("/q/health").then().statusCode(200);
                return !kafka.statuses(event.image()).stream().filter(s -> s.state() == BuildState.BUILT).toList().isEmpty();
            });

            assertThat(Duration.between(started, Instant.now())).isGreaterThan(Duration.ofSeconds(60));
            given().get("/q/health").then().statusCode(200);
            assertThat(count("imagefarm.worker.partitions.revoked")).as("no partition revoked").isEqualTo(revokedBefore);
        }
    }
}
