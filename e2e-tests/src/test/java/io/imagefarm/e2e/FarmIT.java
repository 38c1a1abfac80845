package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SampleRepository;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The build farm in small: three Kafka brokers (replication 3, min.insync.replicas 2), two hashers, two
 * workers per arch (arm64 under QEMU), four repositories. Asserts counts, never timings: exactly one
 * image-required event and one build per image and arch, whichever replica was asked, and a worker
 * stopped mid-build hands its event back without a second push. The figures are scripts/farm-bench.sh's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FarmIT {

    static final Path STACK = Path.of("target", "farm-stack").toAbsolutePath();
    static final String REPOSITORY = "demo/farm";
    static final int REPOSITORIES = 4;
    static final int COMMITS = 10;
    static final int REQUESTS = 200;

    static StackClient stack;
    static final List<SampleRepository> repositories = new ArrayList<>();
    /** (repository index, commit) of every new commit, and their version hashes once resolved. */
    static final List<String[]> commits = new ArrayList<>();
    static final List<String> hashes = new ArrayList<>();

    @BeforeAll
    static void startFarm() throws Exception {
        BuildHost.requireArm64Emulation();
        // A short shutdown grace on the amd64 workers: the hand-back rehearsal below stops one mid-build.
        Map<String, List<String>> options = Map.of(
                "worker-amd64-1", List.of("-Dimagefarm.worker.shutdown-grace=PT2S"),
                "worker-amd64-2", List.of("-Dimagefarm.worker.shutdown-grace=PT2S"));
        stack = DemoStack.startFresh(STACK, options, Map.of(),
                List.of("--brokers", "3", "--hashers", "2", "--workers", "amd64=2,arm64=2"));
        assertThat(stack.list("HASHER_URLS")).hasSize(2);
        assertThat(stack.get("KAFKA_BOOTSTRAP").split(",")).hasSize(3);
        for (int r = 0; r < REPOSITORIES; r++) {
            repositories.add(SampleRepository.init(STACK.resolve("sources").resolve("farm-" + r)));
        }
        // The base image's blobs in demo/farm before the first builds. Two workers of one arch pushing at once
        // would both copy them in, and distribution's filesystem storage can refuse one's manifest while the
        // other rewrites a blob's link: transient, the worker builds again, but this suite counts builds
        // exactly. The images' own layers all differ, so nothing else is pushed twice at once.
        ImageRef base = ImageRef.parse(stack.get("BASE_IMAGE"));
        assertThat(new RegistrySeeder("http://" + stack.get("REGISTRY"), null)
                .copyBlobs(base.repo().path(), base.reference(), REPOSITORY)).isPositive();
    }

    @AfterAll
    static void stopFarm() {
        DemoStack.run(STACK, "stop");
    }

    static String dockerfile(String marker, int sleepSeconds) {
        return "FROM " + stack.get("BASE_IMAGE") + "\nRUN echo '" + marker + "' > /marker && sleep " + sleepSeconds + "\n";
    }

    @Test
    @Order(1)
    void twoHashersAnsweringConcurrentResolvesAndWebhooksPublishExactlyOneEventPerImageAndArch() throws Exception {
        for (int i = 0; i < COMMITS; i++) {
            int r = i % REPOSITORIES;
            String commit = repositories.get(r).commit(SampleRepository.seedFiles(dockerfile("farm-" + i, 1)), "commit " + i);
            commits.add(new String[] {String.valueOf(r), commit});
        }
        List<String> hashers = stack.list("HASHER_URLS");
        ExecutorService callers = Executors.newFixedThreadPool(40);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int n = 0; n < REQUESTS; n++) {
            String[] c = commits.get(n % COMMITS);
            SampleRepository repo = repositories.get(Integer.parseInt(c[0]));
            String hasher = hashers.get((n / COMMITS) % hashers.size());
            boolean webhook = (n / (COMMITS * hashers.size())) % 2 == 0;
            answers.add(callers.submit(() -> webhook
                    ? stack.webhookAt(hasher, REPOSITORY, c[1], repo.url())
                    : stack.resolveAt(hasher, REPOSITORY, c[1], repo.url(), SampleRepository.seedFiles(dockerfile(
                            "farm-" + commits.indexOf(c), 1)))));
        }
        Map<String, Integer> publishedPerImage = new HashMap<>();
        for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> r = answer.get(2, TimeUnit.MINUTES);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = StackClient.JSON.readTree(r.body());
            if (!hashes.contains(body.path("versionHash").asText())) {
                hashes.add(body.path("versionHash").asText());
            }
            for (JsonNode a : body.path("arches")) {
                if (a.path("published").asBoolean()) {
                    publishedPerImage.merge(a.path("image").asText(), 1, Integer::sum);
                }
            }
        }
        callers.shutdown();
        assertThat(hashes).as("every commit is a new image").hasSize(COMMITS);
        assertThat(publishedPerImage).as("answers saying published, per image").hasSize(COMMITS * 2)
                .allSatisfy((image, n) -> assertThat(n).as(image).isEqualTo(1));

        for (String hash : hashes) {
            stack.awaitReadyWithIndex(hash, REPOSITORY);
        }
        for (String arch : List.of("amd64", "arm64")) {
            Map<String, Long> events = countByKey(List.of("imagefarm.image-required." + arch));
            assertThat(events).as("image-required events on the %s topic, read_committed", arch)
                    .hasSize(COMMITS).allSatisfy((image, n) -> assertThat(n).as(image).isEqualTo(1L));
        }
        assertThat(builtPerImage()).as("BUILT statuses per image: one build each").hasSize(COMMITS * 2)
                .allSatisfy((image, n) -> assertThat(n).as(image).isEqualTo(1L));
    }

    @Test
    @Order(2)
    void theWorkersOfAnArchShareItsQueue() throws Exception {
        Map<String, Long> perWorker = new HashMap<>();
        for (String arch : List.of("amd64", "arm64")) {
            for (int w = 1; w <= 2; w++) {
                String log = Files.readString(STACK.resolve("logs").resolve("worker-" + arch + "-" + w + ".log"));
                perWorker.put("worker-" + arch + "-" + w, log.lines().filter(l -> l.contains(": verified: the files at")).count());
            }
        }
        System.out.println("FARM builds per worker: " + perWorker);
        assertThat(perWorker.values().stream().mapToLong(Long::longValue).sum()).as("one verified build per image and arch")
                .isEqualTo(COMMITS * 2L);
        assertThat(countTopicPartitions("imagefarm.image-required.amd64")).as("partitions of a work queue").isEqualTo(12);
    }

    @Test
    @Order(3)
    void aWorkerStoppedMidBuildHandsItsEventBackAndTheImageIsBuiltOnceByTheOther() throws Exception {
        SampleRepository repo = repositories.get(0);
        // A marker of its own: a step BuildKit cached in an earlier run would finish, and push, within the grace.
        String commit = repo.commit(SampleRepository.seedFiles(dockerfile("slow " + java.util.UUID.randomUUID(), 25)),
                "a slow build");
        JsonNode answer = StackClient.JSON.readTree(stack.webhookAt(stack.list("HASHER_URLS").get(0), REPOSITORY, commit,
                repo.url()).body());
        String hash = answer.path("versionHash").asText();
        String image = StackClient.arch(answer, "amd64").path("image").asText();
        // Which amd64 worker took it: the one that verified its files.
        String builder = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> workerThatVerified(image), w -> w != null);

        DemoStack.run(STACK, "stop", builder); // SIGTERM mid-build; the 2 s grace passes, the event is handed back

        JsonNode ready = stack.awaitReadyWithIndex(hash, REPOSITORY);
        assertThat(StackClient.arch(ready, "amd64").path("state").asText()).isIn("BUILT", "EXISTS");
        String other = builder.endsWith("-1") ? "worker-amd64-2" : "worker-amd64-1";
        assertThat(verifiedIn(other, image)).as("the other worker built the handed-back event").isTrue();
        assertThat(countByKey(List.of("imagefarm.image-required.amd64")).get(image)).as("one event").isEqualTo(1L);
        assertThat(builtPerImage().get(image)).as("one push: the stopped worker pushed nothing").isEqualTo(1L);
        DemoStack.run(STACK, "start", builder);
    }

    @Test
    @Order(4)
    void aHasherReplicaKilledMidBurstLosesNoDecisionAndTheOtherKeepsServing() throws Exception {
        List<String> hashers = stack.list("HASHER_URLS");
        List<String[]> burst = new ArrayList<>();
        for (int r = 0; r < REPOSITORIES; r++) {
            SampleRepository repo = repositories.get(r);
            burst.add(new String[] {repo.commit(SampleRepository.seedFiles(dockerfile("after-kill-" + r, 1)), "burst"),
                    repo.url()});
        }
        ExecutorService callers = Executors.newFixedThreadPool(2 * REPOSITORIES);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (String[] c : burst) { // to the replica about to die, and to the one that stays
            answers.add(callers.submit(() -> stack.webhookAt(hashers.get(1), REPOSITORY, c[0], c[1])));
            answers.add(callers.submit(() -> stack.webhookAt(hashers.get(0), REPOSITORY, c[0], c[1])));
        }
        DemoStack.run(STACK, "kill", "hasher-2");

        List<String> burstHashes = new ArrayList<>();
        for (int i = 1; i < answers.size(); i += 2) { // the killed replica's answers may never come
            HttpResponse<String> r = answers.get(i).get(2, TimeUnit.MINUTES);
            // the surviving replica answers every request, whichever replica owned its decision
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            burstHashes.add(StackClient.JSON.readTree(r.body()).path("versionHash").asText());
        }
        callers.shutdown();
        for (String hash : burstHashes) {
            stack.awaitReadyWithIndex(hash, REPOSITORY);
        }
        Map<String, Long> events = countByKey(List.of("imagefarm.image-required.amd64", "imagefarm.image-required.arm64"));
        for (String hash : burstHashes) {
            assertThat(events.entrySet().stream().filter(e -> e.getKey().contains(":builder-" + hash + "-")))
                    .as("one event per arch of %s", hash).hasSize(2).allSatisfy(e -> assertThat(e.getValue()).isEqualTo(1L));
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> stack.statusOf(hashers.get(1) + "/q/health/ready") == 200);
    }

    /**
     * What the chart's ScaledObjects read, once the farm is idle: KEDA's lag (log end minus committed
     * offsets) of each arch's work queue and retry topic. The hashers publish in transactions, so without
     * the workers committing past the marker after their last event it would stay at 1 per partition
     * that received one, and an autoscaled pool would never scale in.
     */
    @Test
    @Order(5)
    void anIdleFarmReadsZeroLagAsKedaComputesItSoItsPoolsCanScaleIn() throws Exception {
        try (TopicProbe probe = new TopicProbe(stack.get("KAFKA_BOOTSTRAP"))) {
            for (String arch : List.of("amd64", "arm64")) {
                String queue = "imagefarm.image-required." + arch;
                // the workers' marker-commit-interval is 30 s
                await("KEDA's lag of builder-" + arch).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> probe.kedaLag(queue, "builder-" + arch) == 0);
                assertThat(probe.kedaLag(queue + ".retry", "builder-" + arch + "-retry")).as("retry topic").isZero();
            }
        }
    }

    static String workerThatVerified(String image) throws Exception {
        for (int w = 1; w <= 2; w++) {
            if (verifiedIn("worker-amd64-" + w, image)) {
                return "worker-amd64-" + w;
            }
        }
        return null;
    }

    static boolean verifiedIn(String worker, String image) throws Exception {
        Path log = STACK.resolve("logs").resolve(worker + ".log");
        return Files.exists(log) && Files.readString(log).contains(image + ": verified: the files at");
    }

    /** BUILT records per image ref on the status topic (not yet compacted: every record is there). */
    static Map<String, Long> builtPerImage() throws Exception {
        Map<String, Long> built = new HashMap<>();
        for (ConsumerRecord<String, String> r : readAll(List.of("imagefarm.image-status"))) {
            if (r.value() != null && !r.key().matches(".*:builder-[0-9a-f]{16}$")
                    && StackClient.JSON.readTree(r.value()).path("state").asText().equals("BUILT")) {
                built.merge(r.key(), 1L, Long::sum);
            }
        }
        return built;
    }

    static Map<String, Long> countByKey(List<String> topics) {
        return readAll(topics).stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
    }

    static int countTopicPartitions(String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps())) {
            return consumer.partitionsFor(topic).size();
        }
    }

    /** Every committed record of the topics, from the beginning to the end offsets seen now. */
    static List<ConsumerRecord<String, String>> readAll(List<String> topics) {
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(System.nanoTime()).as("read %s to its end offsets %s within 60 s", topics, ends).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(500)).forEach(all::add);
            }
        }
        return all;
    }

    static Properties consumerProps() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.get("KAFKA_BOOTSTRAP"));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return props;
    }
}
