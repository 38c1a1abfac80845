package io.imagefarm.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.worker.job.Attempt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Retry record headers are untrusted: every missing or garbled one is refused by name, never a crash. */
class RetryHeadersTest {

    private static final Instant FIRST = Instant.parse("2026-11-28T12:00:00Z");
    private static final Instant NOT_BEFORE = Instant.parse("2026-11-28T12:00:04.250Z");
    private static final RetryHeaders.Retry RETRY =
            new RetryHeaders.Retry(new Attempt(3, FIRST, 1), NOT_BEFORE, FailureKind.REGISTRY_UNAVAILABLE);

    static List<String> names() {
        return RetryHeaders.ALL;
    }

    private static Headers with(String name, String value) {
        Headers headers = RetryHeaders.toKafka(RETRY);
        headers.remove(name);
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    @Test
    void theHeadersAWorkerWritesParseBackToTheSameRetry() {
        Headers headers = RetryHeaders.toKafka(RETRY);

        assertThat(RetryHeaders.parse(headers)).isEqualTo(RETRY);
        assertThat(RetryHeaders.of(RETRY)).containsExactly(
                Map.entry("imagefarm-attempt", "3"),
                Map.entry("imagefarm-not-before", "2026-11-28T12:00:04.250Z"),
                Map.entry("imagefarm-first-attempt", "2026-11-28T12:00:00Z"),
                Map.entry("imagefarm-last-failure", "REGISTRY_UNAVAILABLE"),
                Map.entry("imagefarm-unexpected-failures", "1"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void aMissingHeaderIsRefusedByName(String name) {
        assertThatThrownBy(() -> RetryHeaders.parse(with(name, null)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("retry record: header " + name + " is missing");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "imagefarm-attempt|two|is garbled: 'two' is no integer",
            "imagefarm-attempt|1|is garbled: '1' is no integer from 2",
            "imagefarm-attempt|-3|is garbled: '-3' is no integer from 2",
            "imagefarm-attempt|99999999999|is garbled",
            "imagefarm-not-before|tomorrow|is garbled: 'tomorrow' is no ISO-8601 instant",
            "imagefarm-first-attempt|2026-11-28 12:00|is garbled: '2026-11-28 12:00' is no ISO-8601 instant",
            "imagefarm-last-failure|OOPS|is garbled: 'OOPS' is no failure kind",
            "imagefarm-last-failure|registry_unavailable|is garbled",
            "imagefarm-unexpected-failures|-1|is garbled: '-1' is no integer from 0",
            "imagefarm-unexpected-failures|3|(3) must be below imagefarm-attempt (3)",
            "imagefarm-attempt|''|is empty",
    })
    void aGarbledHeaderIsRefusedByName(String name, String value, String problem) {
        assertThatThrownBy(() -> RetryHeaders.parse(with(name, value)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("retry record: header " + name)
                .hasMessageContaining(problem);
    }

    @Test
    void aRepeatedHeaderIsRefusedRatherThanGuessed() {
        Headers headers = RetryHeaders.toKafka(RETRY);
        headers.add(RetryHeaders.ATTEMPT, "2".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> RetryHeaders.parse(headers)).isInstanceOf(InvalidEventException.class)
                .hasMessage("retry record: header imagefarm-attempt appears 2 times");
    }

    @Test
    void anOverlongOrBinaryHeaderIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> RetryHeaders.parse(with(RetryHeaders.NOT_BEFORE, "9".repeat(10_000))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("retry record: header imagefarm-not-before is garbled (10000 bytes)");
        assertThatThrownBy(() -> RetryHeaders.parse(with(RetryHeaders.LAST_FAILURE, "BUILD\n_ERROR\u0000")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'BUILD?_ERROR?'");
    }

    @Test
    void aRecordWithoutHeadersIsRefused() {
        assertThatThrownBy(() -> RetryHeaders.parse(new RecordHeaders())).isInstanceOf(InvalidEventException.class)
                .hasMessage("retry record: header imagefarm-attempt is missing");
        assertThatThrownBy(() -> RetryHeaders.parse(null)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("without headers");
    }
}
