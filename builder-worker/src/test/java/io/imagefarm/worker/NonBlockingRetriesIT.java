package io.imagefarm.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.testsupport.BaseImages;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.SharedParts;
import io.imagefarm.testsupport.SourceRepo;
import io.imagefarm.worker.config.WorkerConfig;
import io.imagefarm.worker.job.Attempt;
import io.imagefarm.worker.messaging.RetryHeaders;
import io.imagefarm.worker.testing.KafkaTopics;
import io.imagefarm.worker.testing.LeftoverJobFolderResource;
import io.imagefarm.worker.testing.RegistryRelay;
import io.imagefarm.worker.testing.RegistryRelayResource;
import io.imagefarm.worker.testing.TestEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries through the arch's retry topic, against the real parts: a failing event never holds up the
 * work queue, it is retried after its backoff until its attempts are used up, and an event whose job
 * fails unexpectedly is dead-lettered without taking the worker down. Shares BuildWorkerIT's Quarkus
 * boot (same resources, same profile: backoffs of 1 s doubling to 4 s, 8 attempts within 85 s).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryRelayResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = LeftoverJobFolderResource.class, restrictToAnnotatedClass = false)
class NonBlockingRetriesIT {

    private static final Duration WAIT = Duration.ofMinutes(3);

    private static KafkaTopics kafka;
    private static ImageRef base;

    @RegistryRelayResource.Relay
    RegistryRelay relay;
    @Inject
    WorkerConfig config;

    @BeforeAll
    static void parts() {
        base = BaseImages.pushBusyboxBase(SharedParts.registry());
        kafka = new KafkaTopics(SharedParts.kafka().bootstrapServers(), Arch.AMD64);
    }

    @AfterAll
    static void close() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static ImageStatus awaitState(String image, BuildState state) {
        AtomicReference<ImageStatus> found = new AtomicReference<>();
        await(image + " " + state).atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            kafka.statuses(image).stream().filter(s -> s.state() == state).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    private static List<BuildState> states(String image) {
        return kafka.statuses(image).stream().map(ImageStatus::state).toList();
    }

    private static ConsumerRecord<String, byte[]> awaitDeadLetter(String key) {
        await("dead letter " + key).atMost(Duration.ofSeconds(60))
                .until(() -> kafka.deadLetters().stream().anyMatch(r -> key.equals(r.key())));
        return kafka.deadLetters().stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
    }

    private ImageRequired buildable(SourceRepo source, String name) {
        String commit = source.commit(TestEvents.seedFiles("FROM " + base + "\nRUN echo " + TestEvents.randomHash() + " > /x\n"));
        return TestEvents.imageRequired(relay.host(), name, source, commit, Arch.AMD64);
    }

    @Test
    void anUnfetchableSourceIsRetriedOffTheWorkQueueWhileTheArchsNextEventBuildsAndEndsFailedAfterMaxAttempts()
            throws IOException {
        // a file:// remote that passes the source policy but is not there: SOURCE_UNAVAILABLE, transient
        Path gone = Files.createTempDirectory("imagefarm-gone-").resolve("unfetchable.git");
        ImageRequired bad = TestEvents.withSourceUrl(
                TestEvents.forHash(relay.host(), "unfetchable", TestEvents.randomHash(), Arch.AMD64), gone.toUri().toString());
        try (SourceRepo source = SourceRepo.create(true)) {
            ImageRequired good = buildable(source, "behind-the-unfetchable");

            kafka.send(bad);
            Instant sentGood = Instant.now();
            kafka.send(good);

            awaitState(good.image(), BuildState.BUILT);
            Duration toBuilt = Duration.between(sentGood, Instant.now());
            List<BuildState> badMeanwhile = states(bad.image());
            System.out.printf("head-of-line: the event behind an unfetchable source was BUILT %.1f s after it was "
                    + "sent; the unfetchable one had meanwhile %s%n", toBuilt.toMillis() / 1000.0, badMeanwhile);
            assertThat(badMeanwhile).as("the unfetchable event is still being retried").contains(BuildState.REQUESTED)
                    .doesNotContain(BuildState.FAILED);
            await("its retry record").atMost(Duration.ofSeconds(30)).until(() -> !kafka.retryRecords(bad.image()).isEmpty());

            // it ends FAILED once its attempts are used up, each one after its backoff
            ImageStatus failed = awaitState(bad.image(), BuildState.FAILED);
            int attempts = config.maxAttempts();
            assertThat(failed.failure()).isEqualTo(FailureKind.SOURCE_UNAVAILABLE);
            assertThat(failed.reason()).contains("cannot fetch");
            List<ImageStatus> queued = kafka.statuses(bad.image()).stream()
                    .filter(s -> s.state() == BuildState.REQUESTED).toList();
            assertThat(queued).hasSize(attempts - 1).allSatisfy(s -> assertThat(s.failure()).isEqualTo(FailureKind.SOURCE_UNAVAILABLE));
            assertThat(queued.get(0).reason()).startsWith("retry 2 after SOURCE_UNAVAILABLE: cannot fetch");
            assertThat(queued.get(attempts - 2).reason()).startsWith("retry " + attempts + " after SOURCE_UNAVAILABLE");
            assertThat(states(bad.image()).get(states(bad.image()).size() - 1)).isEqualTo(BuildState.FAILED);

            await("every retry record").atMost(Duration.ofSeconds(30))
                    .until(() -> kafka.retryRecords(bad.image()).size() == attempts - 1);
            List<Map<String, String>> headers = kafka.retryRecords(bad.image()).stream().map(KafkaTopics::headers).toList();
            assertThat(headers).extracting(h -> h.get(RetryHeaders.ATTEMPT))
                    .containsExactlyElementsOf(IntStream.rangeClosed(2, attempts).mapToObj(Integer::toString).toList());
            assertThat(headers).extracting(h -> h.get(RetryHeaders.FIRST_ATTEMPT)).as("the budget counts from one start")
                    .containsOnly(headers.get(0).get(RetryHeaders.FIRST_ATTEMPT));
            assertThat(headers).allSatisfy(h -> {
                assertThat(h).containsEntry(RetryHeaders.LAST_FAILURE, "SOURCE_UNAVAILABLE")
                        .containsEntry(RetryHeaders.UNEXPECTED_FAILURES, "0");
            });
            // the backoffs: 1 s, 2 s, then 4 s each
            List<Instant> notBefore = headers.stream().map(h -> Instant.parse(h.get(RetryHeaders.NOT_BEFORE))).toList();
            Instant first = Instant.parse(headers.get(0).get(RetryHeaders.FIRST_ATTEMPT));
            assertThat(Duration.between(first, notBefore.get(notBefore.size() - 1)))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1 + 2 + 4L * (attempts - 3)));
            assertThat(kafka.retryRecords(bad.image())).allSatisfy(r ->
                    assertThat(r.value()).as("the original event, byte for byte").isEqualTo(EventCodec.encode(bad)));
        }
    }

    @Test
    void anUnexpectedFailureIsRetriedThenDeadLetteredWithFailedWhileTheWorkerStaysLiveAndBuildsTheNextEvent() {
        try (SourceRepo source = SourceRepo.create(true); SourceRepo next = SourceRepo.create(true)) {
            source.commit(TestEvents.seedFiles("FROM " + base + "\nRUN echo never > /never\n"));
            // git holds a 300-byte file name, the file system does not: writing the context fails, and
            // nothing classifies that failure (ContextFetcherTest pins it)
            String commit = source.commitFileWithAnOverlongName();
            ImageRequired bad = TestEvents.imageRequired(relay.host(), "unwritable", source, commit, Arch.AMD64);
            int maxUnexpected = config.maxUnexpectedFailures();

            kafka.send(bad);

            ImageStatus failed = awaitState(bad.image(), BuildState.FAILED);
            assertThat(failed.failure()).isEqualTo(FailureKind.INTERNAL_ERROR);
            assertThat(failed.reason()).contains("unexpected failure " + maxUnexpected)
                    .contains("cannot write the build context").contains("File name too long");
            assertThat(kafka.statuses(bad.image())).filteredOn(s -> s.state() == BuildState.REQUESTED)
                    .hasSize(maxUnexpected - 1)
                    .allSatisfy(s -> assertThat(s.failure()).isEqualTo(FailureKind.INTERNAL_ERROR));
            assertThat(states(bad.image())).endsWith(BuildState.BUILDING, BuildState.FAILED);

            ConsumerRecord<String, byte[]> dead = awaitDeadLetter(bad.image());
            assertThat(dead.value()).as("the original event").isEqualTo(EventCodec.encode(bad));
            assertThat(KafkaTopics.headers(dead).get("dead-letter-reason"))
                    .contains(maxUnexpected + " of " + maxUnexpected + " unexpected failures").contains("File name too long");
            assertThat(KafkaTopics.headers(dead).get("dead-letter-topic")).isEqualTo(Topics.imageRequiredRetry(Arch.AMD64));
            assertThat(kafka.retryRecords(bad.image())).extracting(r -> KafkaTopics.headers(r).get(RetryHeaders.UNEXPECTED_FAILURES))
                    .containsExactlyElementsOf(IntStream.range(1, maxUnexpected).mapToObj(Integer::toString).toList());

            given().get("/q/health/live").then().statusCode(200);
            ImageRequired after = buildable(next, "after-the-unexpected");
            kafka.send(after);
            awaitState(after.image(), BuildState.BUILT);
            given().get("/q/health/live").then().statusCode(200);
        }
    }

    @Test
    void aRetryRecordWithAGarbledHeaderIsDeadLetteredNamingTheHeaderAndNothingIsBuilt() {
        ImageRequired event = TestEvents.forHash(relay.host(), "garbled-retry", TestEvents.randomHash(), Arch.AMD64);
        Map<String, String> headers = new java.util.LinkedHashMap<>(RetryHeaders.of(new RetryHeaders.Retry(
                new Attempt(2, Instant.now(), 0), Instant.now(), FailureKind.TIMEOUT)));
        headers.put(RetryHeaders.NOT_BEFORE, "in a minute");

        kafka.send(Topics.imageRequiredRetry(Arch.AMD64), event.image(), EventCodec.encode(event), headers);

        ConsumerRecord<String, byte[]> dead = awaitDeadLetter(event.image());
        assertThat(KafkaTopics.headers(dead).get("dead-letter-reason"))
                .isEqualTo("retry record: header imagefarm-not-before is garbled: 'in a minute' is no ISO-8601 instant");
        assertThat(KafkaTopics.headers(dead).get("dead-letter-topic")).isEqualTo(Topics.imageRequiredRetry(Arch.AMD64));
        assertThat(kafka.statuses(event.image())).as("no status: nothing was attempted").isEmpty();
        given().get("/q/health/live").then().statusCode(200);
    }
}
