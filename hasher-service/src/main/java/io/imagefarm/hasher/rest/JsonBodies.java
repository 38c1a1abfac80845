package io.imagefarm.hasher.rest;

import io.imagefarm.core.event.EventCodec;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Parses request bodies ourselves, so malformed JSON gets a message with line and column. */
final class JsonBodies {

    // Bounded like the hash inputs: a body nested deeper than that is refused (400), never a stack overflow.
    private static final ObjectMapper JSON = EventCodec.untrusted();

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
            JsonLocation at = e.getLocation();
            throw new BadRequestBodyException("malformed-json", "malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestBodyException("malformed-json", "unreadable body: " + e.getMessage());
        }
    }
}
