package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.worker.job.Attempt;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka headers of a record on the retry topic: the record's key and value are the original
 * event's, the headers say which attempt comes next and when. Shared by the worker and its tests.
 *
 * <p>Headers are untrusted input like the event itself (anyone with produce rights on the topic can
 * write them): {@link #parse} refuses a missing, repeated or garbled header with an
 * {@link InvalidEventException} naming it, and the consumer parks the record in the dead-letter topic.
 */
public final class RetryHeaders {

    /** The number of the attempt this record asks for (2 for the first retry). */
    public static final String ATTEMPT = "imagefarm-attempt";
    /** ISO-8601 instant before which the attempt must not start (the backoff). */
    public static final String NOT_BEFORE = "imagefarm-not-before";
    /** ISO-8601 instant of the first attempt: the retry budget counts from it. */
    public static final String FIRST_ATTEMPT = "imagefarm-first-attempt";
    /** The {@link FailureKind} of the attempt that failed last. */
    public static final String LAST_FAILURE = "imagefarm-last-failure";
    /** How many attempts so far failed unexpectedly (nothing classified the failure). */
    public static final String UNEXPECTED_FAILURES = "imagefarm-unexpected-failures";

    public static final List<String> ALL = List.of(ATTEMPT, NOT_BEFORE, FIRST_ATTEMPT, LAST_FAILURE, UNEXPECTED_FAILURES);

    /** Longer values are garbled: nothing this worker writes comes close. */
    private static final int MAX_VALUE_BYTES = 64;
    /** Far more attempts than any configuration makes; beyond it a header is garbled. */
    private static final int MAX_ATTEMPT = 10_000;

    /** What a retry record asks for. */
    public record Retry(Attempt attempt, Instant notBefore, FailureKind lastFailure) {
    }

    private RetryHeaders() {
    }

    /** The headers for a retry record, in {@link #ALL}'s order. */
    public static Map<String, String> of(Retry retry) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ATTEMPT, Integer.toString(retry.attempt().number()));
        headers.put(NOT_BEFORE, retry.notBefore().toString());
        headers.put(FIRST_ATTEMPT, retry.attempt().firstAttemptAt().toString());
        headers.put(LAST_FAILURE, retry.lastFailure().name());
        headers.put(UNEXPECTED_FAILURES, Integer.toString(retry.attempt().unexpectedFailures()));
        return headers;
    }

    public static Headers toKafka(Retry retry) {
        RecordHeaders headers = new RecordHeaders();
        of(retry).forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    /**
     * @throws InvalidEventException a header is missing, repeated or not what this worker writes
     */
    public static Retry parse(Headers headers) {
        if (headers == null) {
            throw new InvalidEventException("retry record without headers; it needs " + String.join(", ", ALL));
        }
        int attempt = integer(headers, ATTEMPT, 2);
        Instant notBefore = instant(headers, NOT_BEFORE);
        Instant firstAttempt = instant(headers, FIRST_ATTEMPT);
        FailureKind lastFailure = failureKind(headers);
        int unexpected = integer(headers, UNEXPECTED_FAILURES, 0);
        if (unexpected >= attempt) {
            throw new InvalidEventException("retry record: header " + UNEXPECTED_FAILURES + " (" + unexpected
                    + ") must be below " + ATTEMPT + " (" + attempt + ")");
        }
        return new Retry(new Attempt(attempt, firstAttempt, unexpected), notBefore, lastFailure);
    }

    private static String value(Headers headers, String name) {
        List<Header> found = new ArrayList<>();
        headers.headers(name).forEach(found::add);
        if (found.isEmpty()) {
            throw new InvalidEventException("retry record: header " + name + " is missing");
        }
        if (found.size() > 1) {
            throw new InvalidEventException("retry record: header " + name + " appears " + found.size() + " times");
        }
        byte[] bytes = found.get(0).value();
        if (bytes == null || bytes.length == 0) {
            throw new InvalidEventException("retry record: header " + name + " is empty");
        }
        if (bytes.length > MAX_VALUE_BYTES) {
            throw new InvalidEventException("retry record: header " + name + " is garbled (" + bytes.length + " bytes)");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int integer(Headers headers, String name, int min) {
        String text = value(headers, name);
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= MAX_ATTEMPT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // garbled, below
        }
        throw new InvalidEventException("retry record: header " + name + " is garbled: '" + printable(text)
                + "' is no integer from " + min + " to " + MAX_ATTEMPT);
    }

    private static Instant instant(Headers headers, String name) {
        String text = value(headers, name);
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new InvalidEventException("retry record: header " + name + " is garbled: '" + printable(text)
                    + "' is no ISO-8601 instant");
        }
    }

    private static FailureKind failureKind(Headers headers) {
        String text = value(headers, LAST_FAILURE);
        try {
            return FailureKind.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("retry record: header " + LAST_FAILURE + " is garbled: '" + printable(text)
                    + "' is no failure kind");
        }
    }

    /** Header text as it may appear in a log line and a dead-letter reason: no control characters. */
    private static String printable(String text) {
        return text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
