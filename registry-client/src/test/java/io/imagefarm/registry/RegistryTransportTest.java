package io.imagefarm.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.registry.RegistryException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transport's one decision, retry or answer, and its waits: driven with canned answers, no registry. */
class RegistryTransportTest {

    final List<Duration> pauses = new ArrayList<>();

    RegistryTransport transport(int attempts, Duration initial, Duration max) {
        return new RegistryTransport(new RegistryClientSettings(Set.of(), Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(30),
                attempts, initial, max, 100), pauses::add);
    }

    /** Answers in turn; each element is a status, or a ProcessingException to throw. */
    static Supplier<Response> answers(Object... answers) {
        Deque<Object> left = new ArrayDeque<>(List.of(answers));
        return () -> {
            Object next = left.removeFirst();
            if (next instanceof ProcessingException e) {
                throw e;
            }
            return next instanceof Response r ? r : Response.status((Integer) next).build();
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void transientStatusesAreAskedAgain(int status) {
        assertThat(RegistryTransport.retries(status)).isTrue();

        Response r = transport(4, Duration.ofMillis(10), Duration.ofSeconds(1)).send("registry r.test", answers(status, 200));

        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(pauses).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 400, 401, 403, 404, 405, 409})
    void otherStatusesAreTheAnswer(int status) {
        assertThat(RegistryTransport.retries(status)).isFalse();

        Response r = transport(4, Duration.ofMillis(10), Duration.ofSeconds(1)).send("registry r.test", answers(status, 200));

        assertThat(r.getStatus()).isEqualTo(status);
        assertThat(pauses).isEmpty();
    }

    @Test
    void aTransientAnswerOnTheLastAttemptIsReturnedForTheCallerToClassify() {
        Response r = transport(3, Duration.ofMillis(10), Duration.ofSeconds(1)).send("registry r.test", answers(503, 502, 500, 200));

        assertThat(r.getStatus()).isEqualTo(500);
        assertThat(pauses).hasSize(2);
    }

    @Test
    void noAnswerIsRetriedAndPastTheBudgetIsATransientFailureNamingThePeer() {
        RegistryTransport transport = transport(3, Duration.ofMillis(10), Duration.ofSeconds(1));
        ProcessingException refused = new ProcessingException(new ConnectException("Connection refused"));

        assertThat(transport.send("registry r.test", answers(refused, refused, 200)).getStatus()).isEqualTo(200);
        assertThatThrownBy(() -> transport.send("token endpoint https://auth.test/token", answers(refused, refused, refused, 200)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessage("token endpoint https://auth.test/token unreachable after 3 attempts: ConnectException: Connection refused");
        assertThat(pauses).hasSize(4);
    }

    @Test
    void theWaitDoublesPerAttemptUpToTheMaximum() {
        transport(6, Duration.ofMillis(100), Duration.ofMillis(500)).send("registry r.test", answers(503, 503, 503, 503, 503, 200));

        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void retryAfterSecondsWinWithinTheMaximumAndAnUnreadableOneIsIgnored() {
        RegistryTransport transport = transport(4, Duration.ofMillis(100), Duration.ofSeconds(5));

        assertThat(transport.backoff(1, "2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(transport.backoff(1, "3600")).isEqualTo(Duration.ofSeconds(5));
        assertThat(transport.backoff(1, "99999999999999999999999")).isEqualTo(Duration.ofSeconds(5));
        assertThat(transport.backoff(2, "Wed, 21 Oct 2026 07:28:00 GMT")).isEqualTo(Duration.ofMillis(200));
        assertThat(transport.backoff(40, null)).isEqualTo(Duration.ofSeconds(5));

        transport.send("registry r.test", answers(Response.status(429).header("Retry-After", "1").build(), 200));
        assertThat(pauses).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void anInterruptedWaitStopsRetryingAndKeepsTheInterrupt() {
        RegistryTransport transport = new RegistryTransport(new RegistryClientSettings(Set.of(), Map.of(), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 4, Duration.ofMillis(10), Duration.ofSeconds(1), 100), wait -> {
                    throw new InterruptedException();
                });
        try {
            assertThatThrownBy(() -> transport.send("registry r.test", answers(503, 200)))
                    .isInstanceOf(RegistryException.class)
                    .hasMessage("interrupted while waiting to retry registry r.test");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anAnswerTheCallerMarksTransientIsAskedAgainAndOthersAreTheAnswer() {
        RegistryTransport transport = transport(4, Duration.ofMillis(10), Duration.ofSeconds(1));

        Response retried = transport.send("registry r.test", answers(400, 400, 201), r -> r.getStatus() == 400);
        Response answered = transport.send("registry r.test", answers(404, 201), r -> r.getStatus() == 400);

        assertThat(retried.getStatus()).isEqualTo(201);
        assertThat(answered.getStatus()).isEqualTo(404);
        assertThat(pauses).hasSize(2);
    }

    @Test
    void anAnswerTheCallerMarksTransientIsReturnedAfterTheLastAttempt() {
        Response r = transport(3, Duration.ofMillis(10), Duration.ofSeconds(1))
                .send("registry r.test", answers(400, 400, 400, 201), any -> true);

        assertThat(r.getStatus()).isEqualTo(400);
        assertThat(pauses).hasSize(2);
    }

    @Test
    void aClosedTransportHandsOutNoClient() {
        RegistryTransport transport = transport(1, Duration.ofMillis(10), Duration.ofSeconds(1));
        transport.close();

        assertThatThrownBy(() -> transport.registry("r.test")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> transport.tokenEndpoint("https://auth.test/token")).isInstanceOf(IllegalStateException.class);
    }
}
