package io.imagefarm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SharedParts;
import io.imagefarm.testsupport.SourceRepo;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.testing.KafkaTopics;
import io.imagefarm.worker.testing.LeftoverJobFolderResource;
import io.imagefarm.worker.testing.LogCapture;
import io.imagefarm.worker.testing.RegistryRelay;
import io.imagefarm.worker.testing.RegistryRelayResource;
import io.imagefarm.worker.testing.TestEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events produced straight to the topic, as anyone with produce rights could write them: the worker is
 * the last line of defence. Shares BuildWorkerIT's Quarkus boot (same resources, same profile) and
 * its real parts: the in-process broker, the shared registry behind the relay, file:// repositories.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryRelayResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LeftoverJobFolderResource.class, restrictToAnnotatedClass = false)
class UntrustedEventsIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String PLANTED = "PLANTED-SECRET";

    private static KafkaTopics kafka;
    private static LocalRegistry registry;
    private static ImageRef base;

    @RegistryRelayResource.Relay
    RegistryRelay relay;
    @LeftoverJobFolderResource.LeftBehind
    Path leftBehind;
    @LeftoverJobFolderResource.NotAJob
    Path notAJob;
    @Inject
    WorkerConfig config;
    @Inject
    MeterRegistry meters;

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

    private static ImageStatus awaitFailed(String image) {
        await(image + " FAILED").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> kafka.statuses(image).stream().anyMatch(s -> s.state() == BuildState.FAILED));
        return kafka.statuses(image).stream().filter(s -> s.state() == BuildState.FAILED).findFirst().orElseThrow();
    }

    private double attempts() {
        Counter c = meters.find("imagefarm.worker.build.attempts").tags("arch", "amd64").counter();
        return c == null ? 0 : c.count();
    }

    private List<Path> jobFolders() {
        try (Stream<Path> entries = Files.list(config.workDir())) {
            return entries.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int headStatus(ImageRef ref) {
        return new RegistrySeeder(registry).headStatus("/v2/" + ref.repository() + "/manifests/" + ref.tag());
    }

    @Test
    void eventWhoseVersionHashItsCommitDoesNotGiveEndsFailedWithInputsMismatchAndNothingIsPushed() {
        try (SourceRepo source = SourceRepo.create(true)) {
            String commit = source.commit(TestEvents.seedFiles("FROM " + base + "\nRUN echo forged > /forged\n"));
            ImageRequired honest = TestEvents.imageRequired(relay.host(), "forged", source, commit, Arch.AMD64);
            String claimed = honest.versionHash().equals("0123456789abcdef") ? "fedcba9876543210" : "0123456789abcdef";
            ImageRequired forged = TestEvents.claiming(claimed, relay.host(), "forged", source, commit, Arch.AMD64);
            double attemptsBefore = attempts();

            kafka.send(forged);

            ImageStatus failed = awaitFailed(forged.image());
            assertThat(failed.failure()).isEqualTo(FailureKind.INPUTS_MISMATCH);
            assertThat(failed.reason()).contains("the event claims " + claimed)
                    .contains("hash to " + honest.versionHash());
            assertThat(kafka.statuses(forged.image())).extracting(ImageStatus::state)
                    .containsExactly(BuildState.BUILDING, BuildState.FAILED);
            assertThat(attempts()).as("buildx never ran").isEqualTo(attemptsBefore);
            ImageRef image = ImageRef.parse(forged.image());
            assertThat(headStatus(image)).as("HEAD " + image).isEqualTo(404);
            assertThat(headStatus(ImageRef.parse(forged.cache()))).as("HEAD " + forged.cache()).isEqualTo(404);
            assertThat(headStatus(ImageRef.parse(honest.image()))).as("HEAD " + honest.image()).isEqualTo(404);
            await("no job folder outlives its job").atMost(Duration.ofSeconds(30)).until(() -> jobFolders().isEmpty());
        }
    }

    @Test
    void sourceUrlWithAPlantedPasswordIsRefusedAndTheSecretReachesNoLogLineAndNoStatusRecord() {
        try (SourceRepo source = SourceRepo.create(true); LogCapture logs = LogCapture.start()) {
            String commit = source.commit(TestEvents.seedFiles("FROM " + base + "\nRUN echo planted > /planted\n"));
            ImageRequired event = TestEvents.withSourceUrl(
                    TestEvents.imageRequired(relay.host(), "planted", source, commit, Arch.AMD64),
                    "https://user:" + PLANTED + "@github.com/acme/planted.git");

            kafka.send(event);

            ImageStatus failed = awaitFailed(event.image());
            assertThat(failed.failure()).isEqualTo(FailureKind.INVALID_CONTEXT);
            assertThat(failed.reason()).contains("https://***@github.com/acme/planted.git").contains("user info");
            // the worker's own lines about this event are in the capture, so their absence below means something
            await("the worker's log of the refusal").atMost(Duration.ofSeconds(30)).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.contains(event.image()) && l.contains("FAILED") && l.contains("***@github.com")));
            await("no job folder outlives its job").atMost(Duration.ofSeconds(30)).until(() -> jobFolders().isEmpty());
            assertThat(logs.lines()).noneMatch(l -> l.contains(PLANTED));
            assertThat(kafka.rawStatusRecords()).isNotEmpty().noneMatch(r -> r.contains(PLANTED));
        }
    }

    @Test
    void jobFolderLeftInTheWorkDirBeforeStartupIsGoneAfterStartup() {
        assertThat(leftBehind.getParent()).isEqualTo(config.workDir());
        assertThat(leftBehind).as("removed at start-up, with the credentials it held").doesNotExist();
        assertThat(notAJob).as("what is not a job folder stays").exists();
    }
}
