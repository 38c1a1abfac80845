package io.imagefarm.hasher.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** Parses request bodies ourselves, so malformed JSON gets a message with line and column. */
final class JsonBodies {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JsonBodies() {
    }

    static <T> T parse(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw new BadRequestBodyException("malformed-json", "request body is empty; expected a JSON object");
        }
        try {
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw new BadRequestBodyException("malformed-json", "request body is JSON null; expected an object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new BadRequestBodyException("malformed-json", "malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestBodyException("malformed-json", "unreadable body: " + e.getMessage());
        }
    }

    static ObjectMapper mapper() {
        return JSON;
    }
}
