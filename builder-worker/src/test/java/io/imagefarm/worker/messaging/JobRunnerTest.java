package io.imagefarm.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.Arch;
import io.imagefarm.worker.job.Attempt;
import io.imagefarm.worker.job.BuildAbandonedException;
import io.imagefarm.worker.job.JobListener;
import io.imagefarm.worker.job.JobResult;
import io.imagefarm.worker.job.JobSpec;
import io.imagefarm.worker.job.RetryPolicy;
import io.imagefarm.worker.job.StatusSink;
import io.imagefarm.worker.testing.TestEvents;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The consumers' decisions around a job, with the job as a plain function: what is acked, what goes to
 * the retry topic (and with which headers), what is dead-lettered, what is left for redelivery. Not a
 * Quarkus test: the decisions are plain Java (the ITs run them against the real broker).
 */
class JobRunnerTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(4),
            Duration.ofMinutes(5), 8, 3);

    private final JobSpec spec = JobSpec.of(TestEvents.forHash("127.0.0.1:5000", "widget", "0123456789abcdef",
            Arch.AMD64), Arch.AMD64);
    private final byte[] value = EventCodec.encode(spec.event());
    private final List<ImageStatus> published = new ArrayList<>();
    private final List<Object[]> written = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private StatusSink sink = published::add;
    private JobRunner.RetryQueue queue = (key, bytes, retry) -> written.add(new Object[] {key, bytes, retry});

    private JobRunner runner(JobRunner.Job job) {
        JobListener listener = new JobListener() {
            @Override
            public void retry(JobSpec job, FailureKind kind, Duration backoff) {
                events.add("retry " + kind + " " + backoff);
            }

            @Override
            public void finished(JobSpec job, JobResult result) {
                events.add("finished " + result.state() + " " + result.failure());
            }

            @Override
            public void unexpectedFailure(JobSpec job, RuntimeException failure) {
                events.add("unexpected " + failure.getClass().getSimpleName());
            }
        };
        return new JobRunner(job, status -> sink.publish(status), (key, bytes, retry) -> queue.put(key, bytes, retry),
                POLICY, listener, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static RuntimeException bug() {
        return new UncheckedIOException("cannot write the build context", new java.io.IOException("File name too long"));
    }

    private RetryHeaders.Retry writtenRetry() {
        assertThat(written).hasSize(1);
        return (RetryHeaders.Retry) written.get(0)[2];
    }

    @Test
    void aFinishedJobIsAckedAndNothingGoesToTheRetryTopic() {
        JobRunner.Disposition d = runner((s, a) -> new JobResult(BuildState.BUILT, null, 1, Duration.ofSeconds(3), 1, 2))
                .run(spec, Attempt.first(NOW), spec.image().toString(), value);

        assertThat(d).isInstanceOf(JobRunner.Ack.class);
        assertThat(written).isEmpty();
    }

    @Test
    void aRetryLaterIsWrittenToTheRetryTopicUnchangedWithTheNextAttemptBeforeTheEventIsAcked() {
        Instant first = NOW.minusSeconds(30);
        Instant notBefore = NOW.plusSeconds(2);
        queue = (key, bytes, retry) -> {
            events.add("written");
            written.add(new Object[] {key, bytes, retry});
        };

        JobRunner.Disposition d = runner((s, a) -> JobResult.retryLater(FailureKind.REGISTRY_UNAVAILABLE, 1,
                Duration.ofSeconds(5), Duration.ofSeconds(2), notBefore))
                .run(spec, new Attempt(2, first, 1), "the-key", value);

        assertThat(d).as("acked only once the record is written").isInstanceOf(JobRunner.Ack.class);
        assertThat(events).containsExactly("written");
        assertThat(written.get(0)[0]).isEqualTo("the-key");
        assertThat((byte[]) written.get(0)[1]).as("the original value, byte for byte").isSameAs(value);
        assertThat(writtenRetry()).isEqualTo(new RetryHeaders.Retry(new Attempt(3, first, 1), notBefore,
                FailureKind.REGISTRY_UNAVAILABLE));
    }

    @Test
    void aRecordWithoutKeyIsRetriedUnderItsImageRef() {
        runner((s, a) -> JobResult.retryLater(FailureKind.TIMEOUT, 1, Duration.ZERO, Duration.ofSeconds(1), NOW.plusSeconds(1)))
                .run(spec, Attempt.first(NOW), null, value);

        assertThat(written.get(0)[0]).isEqualTo(spec.image().toString());
    }

    @Test
    void aRetryRecordThatCannotBeWrittenLeavesTheEventUnackedAndTheWorkerBroken() {
        queue = (key, bytes, retry) -> {
            throw new IllegalStateException("the broker is away");
        };

        JobRunner.Disposition d = runner((s, a) -> JobResult.retryLater(FailureKind.REGISTRY_UNAVAILABLE, 1,
                Duration.ZERO, Duration.ofSeconds(1), NOW.plusSeconds(1)))
                .run(spec, Attempt.first(NOW), "k", value);

        assertThat(d).isInstanceOfSatisfying(JobRunner.LeaveUnacked.class,
                u -> assertThat(u.broken()).contains("cannot write the retry record").contains("the broker is away"));
    }

    @Test
    void anUnexpectedFailureIsRetriedThroughTheRetryTopicCountedInItsHeaderAndTheEventAcked() {
        Instant first = NOW.minusSeconds(10);

        JobRunner.Disposition d = runner((s, a) -> {
            throw bug();
        }).run(spec, new Attempt(2, first, 0), "k", value);

        assertThat(d).as("the worker goes on: acked, not broken").isInstanceOf(JobRunner.Ack.class);
        assertThat(writtenRetry()).isEqualTo(new RetryHeaders.Retry(new Attempt(3, first, 1), NOW.plusSeconds(2),
                FailureKind.INTERNAL_ERROR));
        assertThat(published).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(BuildState.REQUESTED);
            assertThat(s.failure()).isEqualTo(FailureKind.INTERNAL_ERROR);
            assertThat(s.reason()).startsWith("retry 3 after INTERNAL_ERROR: java.io.UncheckedIOException: cannot write")
                    .endsWith("not before " + NOW.plusSeconds(2));
        });
        assertThat(events).containsExactly("unexpected UncheckedIOException", "retry INTERNAL_ERROR PT2S");
    }

    @Test
    void theLastAllowedUnexpectedFailurePublishesFailedAndDeadLettersTheEventWithTheException() {
        RuntimeException bug = bug();

        JobRunner.Disposition d = runner((s, a) -> {
            throw bug;
        }).run(spec, new Attempt(3, NOW.minusSeconds(5), 2), "k", value);

        assertThat(d).isInstanceOfSatisfying(JobRunner.DeadLetter.class, dead -> {
            assertThat(dead.reason()).hasCause(bug)
                    .hasMessageContaining("unexpected failure 3 (attempt 3) of the job for " + spec.image())
                    .hasMessageContaining("File name too long").hasMessageContaining("3 of 3 unexpected failures");
        });
        assertThat(written).as("no retry record").isEmpty();
        assertThat(published).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(BuildState.FAILED);
            assertThat(s.failure()).isEqualTo(FailureKind.INTERNAL_ERROR);
            assertThat(s.reason()).contains("cannot write the build context");
        });
        assertThat(FailureKind.INTERNAL_ERROR.isTransient()).as("remembered by the hasher, like a build error").isFalse();
        assertThat(events).containsExactly("unexpected UncheckedIOException", "finished FAILED INTERNAL_ERROR");
    }

    @Test
    void anUnexpectedFailureOfTheLastAllowedAttemptIsDeadLetteredAtOnce() {
        JobRunner.Disposition d = runner((s, a) -> {
            throw bug();
        }).run(spec, new Attempt(8, NOW.minusSeconds(60), 0), "k", value);

        assertThat(d).isInstanceOfSatisfying(JobRunner.DeadLetter.class,
                dead -> assertThat(dead.reason()).hasMessageContaining("all 8 attempts made"));
        assertThat(published).extracting(ImageStatus::state).containsExactly(BuildState.FAILED);
        assertThat(written).isEmpty();
    }

    @Test
    void aStatusKafkaRefusesLeavesTheEventUnackedAndTheWorkerBroken() {
        JobRunner.Disposition fromTheJob = runner((s, a) -> {
            throw new StatusPublishException(ImageStatus.building(spec.event(), NOW), new IllegalStateException("timeout"));
        }).run(spec, Attempt.first(NOW), "k", value);
        sink = status -> {
            throw new StatusPublishException(status, new IllegalStateException("timeout"));
        };
        JobRunner.Disposition afterABug = runner((s, a) -> {
            throw bug();
        }).run(spec, Attempt.first(NOW), "k", value);

        assertThat(fromTheJob).isInstanceOfSatisfying(JobRunner.LeaveUnacked.class,
                u -> assertThat(u.broken()).contains("cannot publish BUILDING"));
        assertThat(afterABug).isInstanceOfSatisfying(JobRunner.LeaveUnacked.class,
                u -> assertThat(u.broken()).contains("cannot publish REQUESTED"));
        assertThat(written).as("nothing on the retry topic without its status").isEmpty();
    }

    @Test
    void anAbandonedJobIsLeftForRedeliveryWithoutBreakingTheWorker() {
        JobRunner.Disposition d = runner((s, a) -> {
            throw new BuildAbandonedException("build abandoned: the worker is shutting down");
        }).run(spec, Attempt.first(NOW), "k", value);

        assertThat(d).isEqualTo(new JobRunner.LeaveUnacked(null));
        assertThat(published).isEmpty();
        assertThat(written).isEmpty();
    }
}
