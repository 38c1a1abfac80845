package io.imagefarm.core.event;

import io.imagefarm.core.hash.ParseLimits;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON form of every event: ISO-8601 instants, unknown properties ignored on read (old
 * consumers survive new fields), unknown enum values read as null (an old reader survives a new
 * {@link FailureKind}; an unknown {@link BuildState} still fails, as the state is required), a clear
 * {@link InvalidEventException} for anything undecodable.
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = configured(JsonMapper.builder());

    private static final ObjectMapper UNTRUSTED = configured(JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(ParseLimits.MAX_NESTING_DEPTH)
                    .maxDocumentLength(ParseLimits.MAX_FILE_BYTES)
                    .build())
            .build()));

    private static ObjectMapper configured(JsonMapper.Builder builder) {
        return builder.addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
                .build();
    }

    private EventCodec() {
    }

    public static byte[] encode(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    public static String encodeToString(Object event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    public static <T> T decode(byte[] json, Class<T> type) {
        if (json == null) {
            throw new InvalidEventException(type.getSimpleName() + ": empty record value");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new InvalidEventException(type.getSimpleName() + ": record value is JSON null");
            }
            return value;
        } catch (InvalidEventException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
            throw new InvalidEventException(type.getSimpleName() + ": cannot decode: " + detail);
        }
    }

    public static <T> T decode(String json, Class<T> type) {
        return decode(json == null ? null : json.getBytes(StandardCharsets.UTF_8), type);
    }

    /**
     * The process's JSON mapper for trusted or already-bounded JSON (events, registry and API answers):
     * one configuration everywhere. Thread-safe, not to be reconfigured. Untrusted bodies go through
     * {@link #untrusted()} instead.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * The same configuration for JSON a caller controls (request bodies, webhook payloads): nesting
     * and size bounded by {@link ParseLimits}, so a hostile document is refused while it is read.
     */
    public static ObjectMapper untrusted() {
        return UNTRUSTED;
    }
}
