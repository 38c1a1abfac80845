package io.imagefarm.hasher.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.hasher.KafkaTap;
import io.imagefarm.hasher.resolve.Publication;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.SharedParts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hasher's group commit, driven directly against the real (in-process) broker: publications queued before the
 * publisher starts are its first batches, so each test knows what a batch holds.
 */
class KafkaPublisherIT {

    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final List<KafkaPublisher> publishers = new ArrayList<>();
    final KafkaTap tap = new KafkaTap(Topics.IMAGE_STATUS);

    @AfterEach
    void tearDown() {
        publishers.forEach(KafkaPublisher::stop);
        tap.close();
    }

    /** A real transactional producer, as the hasher's, that refuses records over 16 KiB (one way to fail a batch). */
    Properties producerProps(String bootstrap) {
        Properties props = TransactionalProducers.props(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                "publisher-it-" + run);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16384");
        return props;
    }

    KafkaPublisher publisher(int maxBatch) {
        Properties props = producerProps(SharedParts.kafka().bootstrapServers());
        KafkaPublisher publisher = new KafkaPublisher(() -> new KafkaProducer<>(props), metrics, maxBatch);
        publishers.add(publisher);
        return publisher;
    }

    /** A status of this test's image {@code name}; its digest carries {@code n}, to tell records apart. */
    Publication status(String name, int n) {
        String image = "ghcr.io/acme/publisher-" + run + ":builder-" + name;
        return new Publication(List.of(), List.of(ImageStatus.deleted(image, "acme/publisher-" + run, "h" + run, "amd64",
                "sha256:%064d".formatted(n), Instant.now())));
    }

    /** A publication Kafka refuses: a tombstone whose key is larger than the producer's request limit. */
    Publication tooLarge() {
        return new Publication(List.of(), List.of(), List.of("ghcr.io/acme/publisher-" + run + ":" + "x".repeat(20_000)));
    }

    /** The digests' numbers of this test's image {@code name} committed so far, in topic order. */
    List<Integer> committed(String name) {
        String image = "ghcr.io/acme/publisher-" + run + ":builder-" + name;
        return tap.records(r -> image.equals(r.key()) && r.value() != null).stream()
                .map(ConsumerRecord::value)
                .map(v -> EventCodec.decode(v, ImageStatus.class).digest())
                .map(d -> Integer.parseInt(d.substring("sha256:".length())))
                .toList();
    }

    static Throwable failure(CompletableFuture<Void> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aBatchThatKafkaRefusesFailsExactlyItsPublicationsAndTheNextBatchesCommit() {
        KafkaPublisher publisher = publisher(2);
        CompletableFuture<Void> a = publisher.submit(status("a", 1));
        CompletableFuture<Void> b = publisher.submit(status("b", 2));
        CompletableFuture<Void> bad = publisher.submit(tooLarge());
        CompletableFuture<Void> sameBatchAsBad = publisher.submit(status("d", 4));
        CompletableFuture<Void> e = publisher.submit(status("e", 5));
        CompletableFuture<Void> f = publisher.submit(status("f", 6));

        publisher.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> f.isDone() && e.isDone());
        assertThat(List.of(a, b, e, f)).allSatisfy(p -> assertThat(failure(p)).isNull());
        assertThat(failure(bad)).isInstanceOf(PublishFailedException.class).hasMessageContaining("Kafka did not commit");
        assertThat(failure(sameBatchAsBad)).isInstanceOf(PublishFailedException.class);
        // keys land on different partitions, read in no fixed order: await every committed one
        await().atMost(Duration.ofSeconds(20)).until(() -> committed("a").equals(List.of(1)) && committed("b").equals(List.of(2))
                && committed("e").equals(List.of(5)) && committed("f").equals(List.of(6)));
        assertThat(committed("d")).as("the aborted batch's good publication is not visible").isEmpty();
        assertThat(metrics.counter("imagefarm.hasher.publish.failed").count()).isEqualTo(1);
    }

    @Test
    void publicationsOfOneImageCommitInTheOrderSubmittedAcrossBatches() {
        KafkaPublisher publisher = publisher(3);
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            submitted.add(publisher.submit(status("ordered", i)));
        }

        publisher.start();
        for (int i = 10; i < 20; i++) {
            submitted.add(publisher.submit(status("ordered", i)));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> submitted.stream().allMatch(CompletableFuture::isDone));
        assertThat(submitted).allSatisfy(p -> assertThat(failure(p)).isNull());
        List<Integer> expected = IntStream.range(0, 20).boxed().toList();
        await().atMost(Duration.ofSeconds(20)).until(() -> committed("ordered").size() >= 20);
        assertThat(committed("ordered")).isEqualTo(expected);
    }

    @Test
    void shutdownCommitsWhatWasTakenAndRefusesWhatComesAfter() {
        KafkaPublisher publisher = publisher(2);
        List<CompletableFuture<Void>> taken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            taken.add(publisher.submit(status("drained", i)));
        }
        publisher.start();

        publisher.stop();

        assertThat(taken).allSatisfy(p -> {
            assertThat(p).isDone();
            assertThat(failure(p)).isNull();
        });
        assertThat(failure(publisher.submit(status("drained", 99))))
                .isInstanceOf(PublishFailedException.class).hasMessageContaining("shutting down");
        await().atMost(Duration.ofSeconds(20)).until(() -> committed("drained").size() >= 5);
        assertThat(committed("drained")).containsExactly(0, 1, 2, 3, 4);
    }

    /** A producer whose first commit goes through on the broker but is reported as failed to the caller. */
    static final class FirstCommitAnswerLost extends KafkaProducer<String, String> {
        private final AtomicInteger commits;

        FirstCommitAnswerLost(Properties props, AtomicInteger commits) {
            super(props);
            this.commits = commits;
        }

        @Override
        public void commitTransaction() {
            super.commitTransaction();
            if (commits.incrementAndGet() == 1) {
                throw new KafkaException("the commit's answer was lost (simulated)");
            }
        }
    }

    /**
     * The path behind the "Invalid transition attempted from state READY to state ABORTING_TRANSACTION" that Mutiny
     * dropped under SmallRye's KafkaTransactions: a commit reported as failed though the transaction committed (there a
     * commit that timed out and completed later; the publisher no longer aborts after a timeout). The abort that
     * follows finds no transaction; that is contained, the batch's callers get 503 (their publication may be in Kafka:
     * a retry publishes it again, which the decider's dedup absorbs), and the next batch commits.
     */
    @Test
    void aCommitWhoseAnswerIsLostFailsItsBatchAndTheNextBatchCommitsOnANewProducer() {
        Properties props = producerProps(SharedParts.kafka().bootstrapServers());
        AtomicInteger created = new AtomicInteger();
        AtomicInteger commits = new AtomicInteger();
        KafkaPublisher publisher = new KafkaPublisher(() -> {
            created.incrementAndGet();
            return new FirstCommitAnswerLost(props, commits);
        }, metrics, 10);
        publishers.add(publisher);
        CompletableFuture<Void> lost = publisher.submit(status("lost", 1));
        publisher.start();

        await().atMost(Duration.ofSeconds(20)).until(lost::isDone);
        CompletableFuture<Void> next = publisher.submit(status("lost", 2));
        await().atMost(Duration.ofSeconds(20)).until(next::isDone);

        assertThat(failure(lost)).isInstanceOf(PublishFailedException.class)
                .hasMessageContaining("answer was lost")
                .satisfies(e -> assertThat(e.getCause().getSuppressed()).singleElement()
                        .satisfies(abort -> assertThat(abort).hasMessageContaining("READY")));
        assertThat(failure(next)).isNull();
        assertThat(created.get()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> committed("lost").equals(List.of(1, 2)));
    }

    @Test
    void aProducerThatCannotStartFailsItsBatchAndTheNextBatchStartsOnANewProducer() throws IOException {
        Properties unreachable = producerProps("127.0.0.1:" + LocalRegistry.freePort());
        unreachable.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        Properties reachable = producerProps(SharedParts.kafka().bootstrapServers());
        AtomicInteger created = new AtomicInteger();
        KafkaPublisher publisher = new KafkaPublisher(
                () -> new KafkaProducer<>(created.incrementAndGet() == 1 ? unreachable : reachable), metrics, 10);
        publishers.add(publisher);
        CompletableFuture<Void> first = publisher.submit(status("restart", 1));
        publisher.start();

        await().atMost(Duration.ofSeconds(20)).until(first::isDone);
        CompletableFuture<Void> second = publisher.submit(status("restart", 2));
        await().atMost(Duration.ofSeconds(20)).until(second::isDone);

        assertThat(failure(first)).isInstanceOf(PublishFailedException.class);
        assertThat(failure(second)).isNull();
        assertThat(created.get()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> committed("restart").equals(List.of(2)));
    }
}
