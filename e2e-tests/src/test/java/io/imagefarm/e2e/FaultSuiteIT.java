package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SampleRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The status issue's fault suite, on the embedded stack's real processes (Kafka broker JVM,
 * distribution registry, hasher, workers, janitor, and the stack's supervisor). Each fault prints its
 * figures as {@code FAULT n: ...}. The hasher requests amd64 only here, to keep the suite's builds
 * short on a small machine; both arches are the end-to-end test's business. Faults are injected at
 * known points of real builds: a Dockerfile step calls back the test ({@link SignalServer}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {

    static final Path STACK = Path.of("target", "fault-stack").toAbsolutePath();
    static final String AMD64 = "amd64";
    /**
     * amd64 only; and every resolve stamps its hash's use (usage-interval 0), so that resolves of a known
     * image are a steady stream of Kafka transactions for fault 2 to kill the hasher in the middle of.
     */
    static final List<String> HASHER_OPTIONS = List.of("-Dimagefarm.hasher.arches=amd64",
            "-Dimagefarm.hasher.usage-interval=PT0S");
    /** Short backoffs, and enough attempts that an unfetchable source is still retried minutes later (fault 8). */
    static final List<String> WORKER_OPTIONS = List.of("-Dimagefarm.worker.initial-backoff=PT2S",
            "-Dimagefarm.worker.max-backoff=PT6S", "-Dimagefarm.worker.max-attempts=40");

    static StackClient stack;
    /** One plain build, end to end, measured by fault 1 and used as the yardstick after it. */
    static Duration oneBuild = Duration.ofSeconds(30);
    static SignalServer signals;
    static TopicProbe topics;
    static RegistrySeeder registry;

    @BeforeAll
    static void startStack() throws IOException {
        BuildHost.requireEngineWithBuildx();
        // The supervisor must not take a hasher that a fault freezes for a few seconds for a hung one.
        stack = DemoStack.startFresh(STACK, Map.of("hasher", HASHER_OPTIONS, "worker-amd64", WORKER_OPTIONS),
                Map.of("SUPERVISE_FAILURES", "6"));
        signals = new SignalServer();
        topics = new TopicProbe(stack.get("KAFKA_BOOTSTRAP"));
        registry = new RegistrySeeder("http://" + stack.get("REGISTRY"), null);
    }

    @AfterAll
    static void stopStack() {
        if (signals != null) {
            signals.close();
        }
        if (topics != null) {
            topics.close();
        }
        DemoStack.run(STACK, "stop");
    }

    // ---- 7. Permanent failure -------------------------------------------------------------------

    @Test
    @Order(1)
    void fault7_aFailingRunIsPublishedOnceHowEverOftenItIsResolvedAndOnceMoreAfterAnAdminRetry() throws Exception {
        String repository = "demo/f7";
        SampleRepository repo = repo("f7");
        String commit = repo.commit(SampleRepository.seedFiles(from() + "RUN echo about to fail && false\n"), "broken");
        JsonNode first = stack.pushWebhook(repository, commit, repo.url());
        String hash = first.path("versionHash").asText();
        assertThat(first.path("arches")).extracting(a -> a.path("published").asBoolean()).containsExactly(true);
        JsonNode failed = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.images(hash, repository), s -> s.path("outcome").asText().equals("FAILED"));
        assertThat(amd64(failed).path("failure").asText()).isEqualTo("BUILD_ERROR");
        assertThat(amd64(failed).path("logTail").asText()).contains("about to fail");

        for (int i = 0; i < 2; i++) {
            JsonNode again = stack.pushWebhook(repository, commit, repo.url());
            assertThat(again.path("arches")).extracting(a -> a.path("published").asBoolean()).as(again.toString()).containsExactly(false);
            assertThat(again.path("arches")).extracting(a -> a.path("state").asText()).containsExactly("FAILED");
        }
        String image = amd64(failed).path("image").asText();
        assertThat(eventsFor(image)).as("events for " + image + " after three resolves").isEqualTo(1);

        stack.postJsonAsAdmin(stack.get("HASHER_URL") + "/api/v1/images/" + hash + "/retry?repository=" + repository, "{}");
        JsonNode retried = stack.pushWebhook(repository, commit, repo.url());
        assertThat(retried.path("arches")).extracting(a -> a.path("published").asBoolean()).containsExactly(true);
        await().atMost(Duration.ofSeconds(30)).until(() -> eventsFor(image) == 2);
        figure(7, "three resolves of a failed build published 1 event; after the admin's retry, 1 more (%d in all)",
                eventsFor(image));
    }

    // ---- 5. The janitor deletes a hash ----------------------------------------------------------

    @Test
    @Order(2)
    void fault5_aPrunedHashIsDeletedOnTheTopicRebuiltOnTheNextPushAndWaitIsNeverReadyWithoutItsIndex() throws Exception {
        String repository = "demo/sample"; // the stack's janitor prunes demo/sample, keeping one hash
        SampleRepository repo = repo("sample");
        String commit1 = repo.commit(SampleRepository.seedFiles(from() + "RUN echo v1 > /v\n"), "v1");
        String hash1 = stack.pushWebhook(repository, commit1, repo.url()).path("versionHash").asText();
        stack.awaitReadyWithIndex(hash1, repository);
        String commit2 = repo.commit(SampleRepository.seedFiles(from() + "RUN echo v2 > /v\n"), "v2");
        String hash2 = stack.pushWebhook(repository, commit2, repo.url()).path("versionHash").asText();
        stack.awaitReadyWithIndex(hash2, repository);

        stack.postJsonAsAdmin(stack.get("JANITOR_URL") + "/api/v1/janitor/runs", "{\"dryRun\":false}");

        String perArch = registryRef(repository, "builder-" + hash1 + "-amd64");
        String index = registryRef(repository, "builder-" + hash1);
        Map<String, String> last = lastStateByKey();
        assertThat(last.get(perArch)).as(perArch).isEqualTo("DELETED");
        assertThat(last.get(index)).as(index).isEqualTo("DELETED");
        // the hasher learns of the deletion from the status topic, a moment after the janitor published it
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stack.images(hash1, repository).path("outcome").asText()).isNotEqualTo("READY"));

        Instant pushed = Instant.now();
        JsonNode again = stack.pushWebhook(repository, commit1, repo.url());
        assertThat(again.path("arches")).extracting(a -> a.path("published").asBoolean()).as(again.toString()).containsExactly(true);
        AtomicInteger waits = new AtomicInteger();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode answer = stack.getJson(stack.get("HASHER_URL") + "/api/v1/images/" + hash1 + "/wait?timeout=5&repository=" + repository);
            waits.incrementAndGet();
            if (!answer.path("outcome").asText().equals("READY")) {
                return false;
            }
            assertThat(registry.headStatus("/v2/" + repository + "/manifests/builder-" + hash1))
                    .as("the index when /wait answered READY").isEqualTo(200);
            return true;
        });
        figure(5, "DELETED on the topic for the arch and the index; rebuilt and index re-pushed %.1f s after the push; "
                + "%d /wait answers, none READY without the index", seconds(pushed), waits.get());
    }

    // ---- 4. The registry goes away --------------------------------------------------------------

    @Test
    @Order(3)
    void fault4_registryDownTwentySecondsDuringAPushTheBuildRetriesAndSucceedsWhenItReturns() throws Exception {
        String repository = "demo/f4-push";
        SampleRepository repo = repo("f4-push");
        String commit = repo.commit(SampleRepository.seedFiles(from() + signals.runStep("f4-push", 4) + "RUN echo pushed > /p\n"), "push");
        String hash = stack.pushWebhook(repository, commit, repo.url()).path("versionHash").asText();
        signals.await("f4-push", Duration.ofMinutes(3));

        DemoStack.run(STACK, "stop", "registry");
        Instant down = Instant.now();
        List<String> seen = new ArrayList<>();
        try {
            await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                JsonNode s = stack.images(hash, repository);
                JsonNode a = amd64(s);
                String seenNow = a.path("state").asText() + (a.path("failure").isTextual() ? "/" + a.path("failure").asText() : "");
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(seenNow)) {
                    seen.add(seenNow);
                }
                return !s.path("outcome").asText().equals("READY") && !a.path("state").asText().equals("FAILED");
            });
        } finally {
            DemoStack.run(STACK, "start", "registry");
        }
        Instant up = Instant.now();
        stack.awaitReadyWithIndex(hash, repository);
        assertThat(seen).as("the worker retried the push: it queued a retry with the registry's failure")
                .anyMatch(s -> s.startsWith("REQUESTED/REGISTRY_UNAVAILABLE") || s.startsWith("REQUESTED/ENGINE_UNAVAILABLE"));
        assertThat(manifestPuts(repository, "builder-" + hash + "-amd64")).as("pushes of the image").isEqualTo(1);
        figure(4, "registry down %.0f s during the push; states seen %s; READY %.1f s after it returned", 
                Duration.between(down, up).toMillis() / 1000.0, seen, seconds(up));
    }

    @Test
    @Order(4)
    void fault4_registryDownTwentySecondsDuringIndexAssemblyTheIndexIsPushedWithoutAnotherRequest() throws Exception {
        String repository = "demo/f4-index";
        SampleRepository repo = repo("f4-index");
        String commit = repo.commit(SampleRepository.seedFiles(from() + signals.runStep("f4-index", 3)), "index");
        String hash = stack.pushWebhook(repository, commit, repo.url()).path("versionHash").asText();
        String perArch = registryRef(repository, "builder-" + hash + "-amd64");
        signals.await("f4-index", Duration.ofMinutes(3));

        // Freeze the hasher while the worker finishes, take the registry away, then let the hasher see
        // BUILT: it assembles the index while the registry is down.
        signal("STOP", pid("hasher"));
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                    "BUILT".equals(lastStateByKey(IsolationLevel.READ_UNCOMMITTED).get(perArch)));
            DemoStack.run(STACK, "stop", "registry");
        } finally {
            signal("CONT", pid("hasher"));
        }
        Instant down = Instant.now();
        try {
            await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !stack.images(hash, repository).path("outcome").asText().equals("READY"));
        } finally {
            DemoStack.run(STACK, "start", "registry");
        }
        Instant up = Instant.now();
        // No resolve, no webhook: the assembler's own retry must push it.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> registry.headStatus("/v2/" + repository + "/manifests/builder-" + hash) == 200);
        Instant indexed = Instant.now();
        assertThat(stack.awaitReadyWithIndex(hash, repository).path("index").path("state").asText()).isEqualTo("BUILT");
        figure(4, "registry down %.0f s during index assembly; the index was pushed %.1f s after it returned, with no further request",
                Duration.between(down, up).toMillis() / 1000.0, Duration.between(up, indexed).toMillis() / 1000.0);
    }

    // ---- 2. The hasher dies mid-transaction and mid-build ----------------------------------------

    @Test
    @Order(5)
    void fault2_hasherKilledMidTransactionAndMidBuildStallsNobodyForMoreThanTenSecondsAndForgetsNothing() throws Exception {
        String repository = "demo/f2";
        SampleRepository repo = repo("f2");
        Map<String, String> filesA = SampleRepository.seedFiles(from() + "RUN echo a > /a\n");
        String commitA = repo.commit(filesA, "a");
        String hashA = stack.pushWebhook(repository, commitA, repo.url()).path("versionHash").asText();
        stack.awaitReadyWithIndex(hashA, repository);
        // B's build outlasts the kill, the stall and the restart (about 20 s here) with room for a slower host
        String commitB = repo.commit(SampleRepository.seedFiles(from() + signals.runStep("f2-build", 40)), "b");
        JsonNode b = stack.pushWebhook(repository, commitB, repo.url());
        String hashB = b.path("versionHash").asText();
        String imageB = b.path("arches").get(0).path("image").asText();
        signals.await("f2-build", Duration.ofMinutes(3));

        // CI resolving image A over and over: every resolve is a Kafka transaction on the status topic.
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService load = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) {
            load.submit(() -> {
                while (loading.get()) {
                    try {
                        stack.resolve(repository, commitA, repo.url(), filesA);
                    } catch (Exception ignored) {
                        // the hasher is being killed: refused connections are expected
                    }
                }
                return null;
            });
        }
        // Freeze the hasher; if a transaction is open at that moment, kill it, else let it go on and try again.
        Map<TopicPartition, long[]> atKill = Map.of();
        Instant killed = null;
        long hasher = pid("hasher");
        try {
            for (int attempt = 0; attempt < 200 && killed == null; attempt++) {
                signal("STOP", hasher);
                atKill = topics.endAndStable(Topics.IMAGE_STATUS);
                if (!dangling(atKill).isEmpty()) {
                    signal("KILL", hasher);
                    killed = Instant.now();
                } else {
                    signal("CONT", hasher);
                    AtomicInteger tick = new AtomicInteger();
                    await().pollInterval(Duration.ofMillis(50)).until(() -> tick.incrementAndGet() > 2);
                }
            }
        } finally {
            loading.set(false);
            load.shutdown();
            load.awaitTermination(1, TimeUnit.MINUTES);
        }
        assertThat(killed).as("the hasher was caught in a transaction within 200 tries").isNotNull();
        Map<TopicPartition, Long> open = dangling(atKill);
        assertThat(open).as("a transaction was open when the hasher was killed: " + describe(atKill)).isNotEmpty();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Map<TopicPartition, long[]> now = topics.endAndStable(Topics.IMAGE_STATUS);
            return open.entrySet().stream().allMatch(e -> now.get(e.getKey())[1] >= e.getValue());
        });
        Duration stall = Duration.between(killed, Instant.now());

        // The supervisor restarts it; once ready it answers from the whole book.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.statusOf(stack.get("HASHER_URL") + "/q/health/ready") == 200);
        Duration restart = Duration.between(killed, Instant.now());
        assertThat(stack.images(hashA, repository).path("outcome").asText()).isEqualTo("READY");
        JsonNode inFlight = stack.images(hashB, repository);
        assertThat(amd64(inFlight).path("state").asText()).as("B is still being built: " + inFlight).isIn("REQUESTED", "BUILDING");
        JsonNode resolvedB = stack.pushWebhook(repository, commitB, repo.url());
        assertThat(resolvedB.path("arches")).extracting(a -> a.path("published").asBoolean()).as(resolvedB.toString()).containsExactly(false);
        stack.awaitReadyWithIndex(hashB, repository);
        assertThat(eventsFor(imageB)).as("events for the image in flight").isEqualTo(1);
        figure(2, "killed with open transactions on %d partition(s); read_committed consumers stalled %.1f s; "
                + "the hasher was ready again after %.1f s, knew A as READY and published nothing for B in flight",
                open.size(), stall.toMillis() / 1000.0, restart.toMillis() / 1000.0);
        assertThat(stall).as("read_committed stall").isLessThanOrEqualTo(Duration.ofSeconds(10));
    }

    // ---- 3. The broker stops and comes back ------------------------------------------------------

    @Test
    @Order(6)
    void fault3_brokerRestartWithTheSameDataLosesNoRecordAndEveryServiceRecoversWithoutARestart() throws Exception {
        Map<String, Long> pids = new HashMap<>();
        for (String part : List.of("hasher", "worker-amd64", "worker-arm64", "janitor")) {
            pids.put(part, pid(part));
        }
        List<ConsumerRecord<String, String>> statusBefore = topics.readAll(Topics.IMAGE_STATUS, IsolationLevel.READ_COMMITTED);
        List<ConsumerRecord<String, String>> eventsBefore = topics.readAll(Topics.imageRequired(Arch.parse(AMD64)), IsolationLevel.READ_COMMITTED);
        Map<String, String> lastBefore = lastState(statusBefore);

        Instant stopped = Instant.now();
        DemoStack.run(STACK, "restart", "kafka");
        Instant back = Instant.now();

        List<ConsumerRecord<String, String>> statusAfter = topics.readAll(Topics.IMAGE_STATUS, IsolationLevel.READ_COMMITTED);
        List<ConsumerRecord<String, String>> eventsAfter = topics.readAll(Topics.imageRequired(Arch.parse(AMD64)), IsolationLevel.READ_COMMITTED);
        assertThat(eventsAfter.size()).as("events").isEqualTo(eventsBefore.size());
        assertThat(statusAfter.size()).as("status records").isGreaterThanOrEqualTo(statusBefore.size());
        assertThat(lastState(statusAfter)).as("every image's last status").containsAllEntriesOf(lastBefore);

        String repository = "demo/f3";
        SampleRepository repo = repo("f3");
        String commit = repo.commit(SampleRepository.seedFiles(from() + "RUN echo after the broker restart > /k\n"), "k");
        JsonNode answer = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try {
                return stack.pushWebhook(repository, commit, repo.url());
            } catch (AssertionError notYet) {
                return null; // 503 while the hasher's producer reconnects
            }
        }, java.util.Objects::nonNull);
        stack.awaitReadyWithIndex(answer.path("versionHash").asText(), repository);
        Instant built = Instant.now();
        pids.forEach((part, pid) -> assertThat(pid(part)).as(part + " was not restarted").isEqualTo(pid));
        figure(3, "broker restarted in %.1f s; %d events and %d status records before, %d and %d after, every last status kept; "
                + "a new push was READY %.1f s after the broker was back; no service restarted",
                Duration.between(stopped, back).toMillis() / 1000.0, eventsBefore.size(), statusBefore.size(),
                eventsAfter.size(), statusAfter.size(), Duration.between(back, built).toMillis() / 1000.0);
    }

    // ---- 1. A worker dies mid-build, five times --------------------------------------------------

    @Test
    @Order(7)
    void fault1_workerKilledMidBuildFiveTimesEveryImageBuiltOncePushedOnceAndNoBuildOrphaned() throws Exception {
        String repository = "demo/f1";
        SampleRepository repo = repo("f1");
        String refCommit = repo.commit(SampleRepository.seedFiles(from() + signals.runStep("f1-reference", 5)), "reference");
        Instant refStart = Instant.now();
        String refHash = stack.pushWebhook(repository, refCommit, repo.url()).path("versionHash").asText();
        stack.awaitReadyWithIndex(refHash, repository);
        oneBuild = Duration.between(refStart, Instant.now());

        for (int run = 1; run <= 5; run++) {
            String name = "f1-kill-" + run;
            String commit = repo.commit(SampleRepository.seedFiles(from() + signals.runStep(name, 5)), name);
            String hash = stack.pushWebhook(repository, commit, repo.url()).path("versionHash").asText();
            signals.await(name, Duration.ofMinutes(3));
            long worker = pid("worker-amd64");
            signal("KILL", worker); // the JVM only: its buildx children live on, as after an OOM kill
            Instant killed = Instant.now();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() ->
                    pidOrZero("worker-amd64") != worker
                            && stack.statusOf(stack.get("WORKER_AMD64_URL") + "/q/health/ready") == 200);
            Duration restart = Duration.between(killed, Instant.now());
            stack.awaitReadyWithIndex(hash, repository);
            Duration recovered = Duration.between(killed, Instant.now());

            assertThat(orphanBuilds()).as("buildx processes left from the killed worker").isEmpty();
            assertThat(manifestPuts(repository, "builder-" + hash + "-amd64")).as("pushes of " + hash).isEqualTo(1);
            figure(1, "run %d: worker restarted %.1f s after the kill; image READY %.1f s after it (one build takes %.1f s)",
                    run, restart.toMillis() / 1000.0, recovered.toMillis() / 1000.0, oneBuild.toMillis() / 1000.0);
            assertThat(recovered).as("restart plus one build").isLessThanOrEqualTo(restart.plus(oneBuild).plusSeconds(30));
        }
    }

    // ---- 6. A worker's clock runs ten minutes behind -------------------------------------------

    @Test
    @Order(8)
    void fault6_aWorkerWhoseClockRunsTenMinutesBehindStillCompletesItsImage() throws Exception {
        List<String> skewed = new ArrayList<>(WORKER_OPTIONS);
        skewed.add("-Dimagefarm.worker.clock-offset=-PT10M");
        DemoStack.run(STACK, "restart", concat(List.of("worker-amd64"), skewed));
        try {
            String repository = "demo/f6";
            SampleRepository repo = repo("f6");
            String commit = repo.commit(SampleRepository.seedFiles(from() + "RUN echo skewed > /s\n"), "skewed");
            JsonNode answer = stack.pushWebhook(repository, commit, repo.url());
            String hash = answer.path("versionHash").asText();
            String image = answer.path("arches").get(0).path("image").asText();
            Instant sent = Instant.now();
            stack.awaitReadyWithIndex(hash, repository);
            Instant built = topics.readAll(Topics.IMAGE_STATUS, IsolationLevel.READ_COMMITTED).stream()
                    .filter(r -> image.equals(r.key()) && "BUILT".equals(field(r.value(), "state")))
                    .map(r -> Instant.parse(field(r.value(), "updatedAt"))).reduce((a, b) -> b).orElseThrow();
            Duration skew = Duration.between(Instant.now(), built);
            assertThat(skew).as("the worker's BUILT carries its late clock").isLessThan(Duration.ofMinutes(-9));
            figure(6, "a worker %.0f s behind: READY with its index %.1f s after the push", skew.toMillis() / 1000.0, seconds(sent));
        } finally {
            DemoStack.run(STACK, "restart", concat(List.of("worker-amd64"), WORKER_OPTIONS));
        }
    }

    // ---- 8. Head-of-line -------------------------------------------------------------------------

    @Test
    @Order(9)
    void fault8_whileAnUnfetchableSourceIsRetriedANormalRequestOnTheSameArchIsBuiltWithinOneBuildTime() throws Exception {
        // Resolved through the API with its files, so the hasher fetches nothing; no worker can fetch the source.
        Map<String, String> badFiles = SampleRepository.seedFiles(from() + "RUN echo never built > /n\n");
        HttpResponse<String> bad = stack.resolve("demo/f8-bad", "0123456789abcdef0123456789abcdef01234567",
                "file://" + STACK.resolve("sources/gone-away"), badFiles);
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(200);
        JsonNode badAnswer = StackClient.JSON.readTree(bad.body());
        String badHash = badAnswer.path("versionHash").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode a = amd64(stack.images(badHash, "demo/f8-bad"));
            return a.path("state").asText().equals("REQUESTED") && a.path("failure").isTextual();
        });

        String repository = "demo/f8-good";
        SampleRepository repo = repo("f8-good");
        String commit = repo.commit(SampleRepository.seedFiles(from() + "RUN echo behind a bad one > /g\n"), "good");
        Instant sent = Instant.now();
        String hash = stack.pushWebhook(repository, commit, repo.url()).path("versionHash").asText();
        stack.awaitReadyWithIndex(hash, repository);
        Duration took = Duration.between(sent, Instant.now());
        JsonNode badNow = amd64(stack.images(badHash, "demo/f8-bad"));

        figure(8, "a normal request was READY %.1f s after it was sent (one build: %.1f s) while the unfetchable one was %s (%s)",
                took.toMillis() / 1000.0, oneBuild.toMillis() / 1000.0, badNow.path("state").asText(), badNow.path("reason").asText());
        assertThat(badNow.path("state").asText()).as("the bad one is still being retried").isIn("REQUESTED", "BUILDING");
        assertThat(took).as("within one build time").isLessThanOrEqualTo(oneBuild.plusSeconds(15));
    }

    // ---- The supervisor: a hung worker ---------------------------------------------------------

    @Test
    @Order(10)
    void aHungWorkerIsRestartedByTheSupervisorAndBuildsAgain() throws Exception {
        long worker = pid("worker-amd64");
        signal("STOP", worker);
        Instant hung = Instant.now();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() ->
                pidOrZero("worker-amd64") != worker
                        && stack.statusOf(stack.get("WORKER_AMD64_URL") + "/q/health/ready") == 200);
        Duration restart = Duration.between(hung, Instant.now());
        assertThat(Files.readString(STACK.resolve("logs/supervisor.log")))
                .contains("restarting worker-amd64 (pid " + worker + "): liveness not UP");
        assertThat(ProcessHandle.of(worker)).as("the hung JVM is gone").isEmpty();

        String repository = "demo/hung";
        SampleRepository repo = repo("hung");
        String commit = repo.commit(SampleRepository.seedFiles(from() + "RUN echo after the hang > /h\n"), "h");
        stack.awaitReadyWithIndex(stack.pushWebhook(repository, commit, repo.url()).path("versionHash").asText(), repository);
        figure(0, "a hung worker (SIGSTOP) was killed and started again by the supervisor %.1f s later, and builds",
                restart.toMillis() / 1000.0);
    }

    // ---- helpers -------------------------------------------------------------------------------

    static String from() {
        return "FROM " + stack.get("BASE_IMAGE") + "\n";
    }

    static SampleRepository repo(String name) {
        return SampleRepository.init(STACK.resolve("sources").resolve(name));
    }

    static JsonNode amd64(JsonNode status) {
        return StackClient.arch(status, AMD64);
    }

    static String registryRef(String repository, String tag) {
        return stack.get("REGISTRY") + "/" + repository + ":" + tag;
    }

    static void figure(int fault, String format, Object... args) {
        System.out.printf("FAULT %d: %s%n", fault, String.format(format, args));
    }

    static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }

    static long pid(String part) {
        try {
            return Long.parseLong(Files.readString(STACK.resolve("pids").resolve(part)).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("no pid file for " + part, e);
        }
    }

    static long pidOrZero(String part) {
        try {
            return pid(part);
        } catch (UncheckedIOException | NumberFormatException e) {
            return 0;
        }
    }

    static void signal(String signal, long pid) {
        Processes.run(Duration.ofSeconds(10), List.of("kill", "-" + signal, Long.toString(pid))).orThrow();
    }

    /** Events on the amd64 work queue for {@code image}. */
    static long eventsFor(String image) {
        return topics.readAll(Topics.imageRequired(Arch.parse(AMD64)), IsolationLevel.READ_COMMITTED).stream()
                .filter(r -> image.equals(field(r.value(), "image"))).count();
    }

    static Map<String, String> lastStateByKey() {
        return lastStateByKey(IsolationLevel.READ_COMMITTED);
    }

    static Map<String, String> lastStateByKey(IsolationLevel isolation) {
        return lastState(topics.readAll(Topics.IMAGE_STATUS, isolation));
    }

    static Map<String, String> lastState(List<ConsumerRecord<String, String>> records) {
        Map<String, String> last = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            if (r.value() == null) {
                last.remove(r.key());
            } else {
                last.put(r.key(), field(r.value(), "state"));
            }
        }
        return last;
    }

    static String field(String json, String name) {
        try {
            return StackClient.JSON.readTree(json).path(name).asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Partitions whose last stable offset is behind the log end (a transaction is open), with that end. */
    static Map<TopicPartition, Long> dangling(Map<TopicPartition, long[]> endAndStable) {
        Map<TopicPartition, Long> open = new HashMap<>();
        endAndStable.forEach((tp, o) -> {
            if (o[1] < o[0]) {
                open.put(tp, o[0]);
            }
        });
        return open;
    }

    static String describe(Map<TopicPartition, long[]> endAndStable) {
        StringBuilder b = new StringBuilder();
        endAndStable.forEach((tp, o) -> b.append(tp).append(" end=").append(o[0]).append(" stable=").append(o[1]).append("; "));
        return b.toString();
    }

    /** Manifest PUTs of {@code tag} that the registry accepted, from its access log. */
    /**
     * How many times a build pushed the tag: BuildKit's PUT of it. With provenance, the engine (docker 26,
     * containerd image store) then puts the same index, image and attestation under the tag again from its
     * store, three PUTs of one push with the engine's user agent, which are not counted.
     */
    static long manifestPuts(String repository, String tag) throws IOException {
        String put = "\"PUT /v2/" + repository + "/manifests/" + tag + " HTTP/1.1\" 201";
        try (Stream<String> lines = Files.lines(STACK.resolve("logs/registry.log"), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(put) && l.contains("\"buildkit/")).count();
        }
    }

    /** buildx processes working for a job of this stack's amd64 worker (DOCKER_CONFIG in its work folder). */
    static List<Long> orphanBuilds() {
        String workDir = "DOCKER_CONFIG=" + STACK.resolve("work-amd64");
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    String environ = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                    if (cmdline.contains("buildx") && environ.contains(workDir)) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
