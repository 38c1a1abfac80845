package io.imagefarm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.testsupport.BaseImages;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.MissingPartError;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SharedParts;
import io.imagefarm.testsupport.SourceRepo;
import io.imagefarm.worker.testing.KafkaTopics;
import io.imagefarm.worker.testing.TestEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged worker ({@code target/quarkus-app/quarkus-run.jar}) as a real process, for arm64 under
 * QEMU: what only a process shows (SIGTERM, refusing to start). The in-JVM worker of the other ITs
 * is amd64, so these workers have their topic and group to themselves.
 */
class WorkerProcessIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Duration BUILD = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalRegistry registry;
    private static ImageRef base;
    private static KafkaTopics kafka;

    private record Worker(Process process, Path log) {
        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @BeforeAll
    static void parts() {
        if (!Files.isRegularFile(JAR)) {
            throw new MissingPartError("the packaged worker", JAR.toAbsolutePath() + " does not exist; run 'verify', which packages before the ITs");
        }
        registry = SharedParts.registry();
        base = BaseImages.pushBusyboxBase(registry);
        kafka = new KafkaTopics(SharedParts.kafka().bootstrapServers(), Arch.ARM64);
    }

    @AfterAll
    static void close() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * A worker process with its own static member id: never the in-JVM worker's nor another test run's
     * (two live members with one id fence each other). A restarted worker passes its predecessor's id.
     */
    private static Worker start(String arch, Duration grace) throws IOException {
        return start(arch, grace, "it-process-" + UUID.randomUUID());
    }

    private static Worker start(String arch, Duration grace, String instanceId) throws IOException {
        Path log = Files.createTempFile("imagefarm-worker-" + arch + "-", ".log");
        Path work = Files.createTempDirectory("imagefarm-worker-work-");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Dkafka.bootstrap.servers=" + SharedParts.kafka().bootstrapServers(),
                "-Dimagefarm.worker.arch=" + arch,
                "-Dimagefarm.worker.network-host=true",
                "-Dimagefarm.worker.registry=" + registry.host(),
                "-Dimagefarm.worker.context.allowed-schemes=https,file",
                "-Dimagefarm.worker.context.allowed-url-patterns=file:///**",
                "-Dimagefarm.worker.shutdown-grace=" + grace,
                "-Dimagefarm.worker.work-dir=" + work,
                "-Dimagefarm.worker.min-free-disk-bytes=104857600",
                "-Dimagefarm.worker.instance-id=" + instanceId,
                // no BUILDING heartbeat within a build here: the tests count the BUILDING statuses of a build
                "-Dimagefarm.worker.heartbeat-interval=PT10M",
                "-Dquarkus.http.port=0",
                "-jar", JAR.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Worker(p, log);
    }

    /** Started, and its work queue's partitions assigned (the retry topic's come on their own). */
    private static Worker startReady(String arch, Duration grace, String instanceId) throws IOException {
        Worker w = start(arch, grace, instanceId);
        Pattern workQueueAssigned = Pattern.compile("partitions assigned: \\[.*"
                + Pattern.quote(Topics.imageRequired(Arch.parse(arch))) + "-\\d");
        await("worker ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("worker exited: " + w.log(), () -> !w.process().isAlive())
                .until(() -> workQueueAssigned.matcher(w.output()).find());
        return w;
    }

    private static ImageStatus awaitState(String image, BuildState state) {
        await(image + " " + state).atMost(BUILD).pollInterval(Duration.ofMillis(250))
                .until(() -> kafka.statuses(image).stream().anyMatch(s -> s.state() == state));
        return kafka.statuses(image).stream().filter(s -> s.state() == state).findFirst().orElseThrow();
    }

    @Test
    void arm64WorkerBuildsAndPushesItsArm64ImageWithProvenanceAndSigtermMidBuildLeadsToRedelivery() throws Exception {
        // static membership: the second worker is the first one restarted, under the same member id
        String instanceId = "it-arm64-" + UUID.randomUUID();
        Worker first = startReady("arm64", Duration.ofSeconds(3), instanceId);
        Worker second = null;
        try (SourceRepo source = SourceRepo.create(true)) {
            // 1. an arm64 event is built under QEMU and pushed as its arm64 image with provenance
            String c1 = source.commit(TestEvents.seedFiles("FROM " + base + "\nRUN uname -m > /arch\n"));
            ImageRequired plain = TestEvents.imageRequired(registry.host(), "arm", source, c1, Arch.ARM64);
            kafka.send(plain);
            ImageStatus built = awaitState(plain.image(), BuildState.BUILT);
            assertThat(built.arch()).isEqualTo("arm64");
            ImageRef image = ImageRef.parse(plain.image());
            RegistrySeeder seeder = new RegistrySeeder(registry);
            // the tag is the arm64 image with its provenance: an index of the linux/arm64 manifest and its attestation
            JsonNode index = JSON.readTree(seeder.get("/v2/" + image.repository() + "/manifests/" + image.tag()).body());
            assertThat(index.path("manifests")).hasSize(2);
            JsonNode entry = index.path("manifests").get(0);
            assertThat(entry.path("platform").path("architecture").asText()).isEqualTo("arm64");
            assertThat(index.path("manifests").get(1).path("annotations").path("vnd.docker.reference.digest").asText())
                    .isEqualTo(entry.path("digest").asText());
            JsonNode manifest = JSON.readTree(seeder.get("/v2/" + image.repository() + "/manifests/" + entry.path("digest").asText()).body());
            JsonNode config = JSON.readTree(seeder.get("/v2/" + image.repository() + "/blobs/"
                    + manifest.path("config").path("digest").asText()).body());
            assertThat(config.path("architecture").asText()).isEqualTo("arm64");

            // 2. SIGTERM while a 20 s build is in flight (BUILDING is published just before it starts):
            // past the 3 s grace period it is abandoned, not committed. (busybox wget crashes under
            // QEMU, so unlike the amd64 tests this one cannot hold the build open on an HTTP call.)
            String c2 = source.commit(TestEvents.seedFiles("FROM " + base + "\nRUN sleep 20 && echo "
                    + TestEvents.randomHash() + " > /slow\n"));
            ImageRequired held = TestEvents.imageRequired(registry.host(), "held", source, c2, Arch.ARM64);
            kafka.send(held);
            awaitState(held.image(), BuildState.BUILDING);
            // its beat says so at once (not only at the next interval), naming the image
            await("a BUILDING beat").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> kafka.beats(instanceId).stream().anyMatch(b -> b != null
                            && b.state() == WorkerBeat.State.BUILDING && b.builds().stream().anyMatch(x -> x.image().equals(held.image()))));
            first.process().destroy(); // SIGTERM
            assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).as("the worker exits after its grace period").isTrue();
            assertThat(first.output()).contains("abandoning the build in flight");
            assertThat(kafka.statuses(held.image())).extracting(ImageStatus::state).containsExactly(BuildState.BUILDING);
            // STOPPING, with the build it let run, then a tombstone: the stopped worker left the farm
            await("the stopped worker's tombstone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> { List<WorkerBeat> b = kafka.beats(instanceId); return !b.isEmpty() && b.get(b.size() - 1) == null; });
            List<WorkerBeat> beats = kafka.beats(instanceId);
            assertThat(beats.get(0).state()).isEqualTo(WorkerBeat.State.IDLE);
            assertThat(beats.get(0).arch()).isEqualTo("arm64");
            assertThat(beats).filteredOn(b -> b != null && b.state() == WorkerBeat.State.STOPPING).first()
                    .satisfies(b -> assertThat(b.builds()).extracting(WorkerBeat.Build::image).containsExactly(held.image()));

            // 3. the worker restarted (same static member id) gets its partitions back and the event again,
            // and builds it
            second = startReady("arm64", Duration.ofMinutes(1), instanceId);
            awaitState(held.image(), BuildState.BUILT);
            assertThat(kafka.statuses(held.image())).extracting(ImageStatus::state)
                    .containsExactly(BuildState.BUILDING, BuildState.BUILDING, BuildState.BUILT);
        } finally {
            first.stop();
            if (second != null) {
                second.stop();
            }
        }
    }

    @Test
    void workerRefusesToStartForAnArchItsHostCannotBuild() throws Exception {
        Worker w = start("s390x", Duration.ofSeconds(1));
        try {
            assertThat(w.process().waitFor(90, TimeUnit.SECONDS)).as("the worker exits").isTrue();
            assertThat(w.process().exitValue()).isNotZero();
            assertThat(w.output()).contains("this host cannot build linux/s390x");
        } finally {
            w.stop();
        }
    }
}
