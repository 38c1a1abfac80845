package io.imagefarm.janitor.rest;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/janitor/runs}: {@code {"dryRun": true, "force": false, "repositories": ["id"]}},
 * every field optional (absent: the default), an empty body the same as {@code {}}.
 *
 * <p>Read strictly, because a misread field decides what gets deleted: {@code dryRun} and {@code force} must be
 * JSON booleans ({@code "true"}, {@code 1} and {@code "yes"} are refused, not coerced), {@code repositories} an
 * array of strings (a lone string is not taken for a one-element array), {@code null} is refused for every field
 * and element (leave the field out instead), and an unknown field is refused rather than ignored, so a typo
 * such as {@code "dryrun": false} cannot silently fall back to the default. Duplicate fields and anything after
 * the object are refused too. Every refusal is a {@link BadRequestBodyException} naming the field, or the line
 * and column of malformed JSON.
 */
public record RunBody(Boolean dryRun, Boolean force, Set<String> repositories) {

    static final RunBody DEFAULTS = new RunBody(null, null, null);

    private static final String FIELDS = "dryRun (boolean), force (boolean), repositories (array of repository ids)";

    /**
     * What Jackson binds, field by field. Not the record itself: a record is bound through its constructor,
     * and Jackson then hands an absent field the same null handling as an explicit {@code null}.
     */
    private static final class Wire {
        public Boolean dryRun;
        public Boolean force;
        public Set<String> repositories;
    }

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfigDefaults(c -> c.setAcceptBlankAsEmpty(false))
            .withCoercionConfig(LogicalType.Boolean, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Collection, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .defaultSetterInfo(JsonSetter.Value.construct(Nulls.FAIL, Nulls.FAIL))
            .build();

    private static final ObjectReader WIRE = STRICT.readerFor(Wire.class);

    /** The body, or a {@link BadRequestBodyException} saying what is wrong with it. */
    static RunBody parse(byte[] body) {
        if (body == null || body.length == 0) {
            return DEFAULTS;
        }
        Wire parsed;
        try (JsonParser parser = STRICT.createParser(body)) {
            try {
                parsed = WIRE.readValue(parser);
            } catch (JsonProcessingException e) {
                throw refusal(e); // while the parser is open: the exception reads the offending token from it
            }
        } catch (IOException e) {
            throw new BadRequestBodyException("malformed-json", null, "unreadable body: " + e.getMessage());
        }
        if (parsed == null) {
            throw new BadRequestBodyException("invalid-body", null, "the body must be a JSON object with " + FIELDS
                    + ", not null; send {} or no body for the defaults");
        }
        return new RunBody(parsed.dryRun, parsed.force, parsed.repositories);
    }

    private static BadRequestBodyException refusal(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return new BadRequestBodyException("unknown-field", path(u),
                    "unknown field \"" + u.getPropertyName() + "\"; the body takes " + FIELDS);
        }
        if (e instanceof MismatchedInputException m) {
            return mismatch(m);
        }
        // a value that does not parse belongs to the field just named; anything else (a missing quote or
        // comma, a duplicate) is between fields, and the line and column say where
        String field = e.getProcessor() instanceof JsonParser p && p.currentToken() == JsonToken.FIELD_NAME
                ? p.getParsingContext().getCurrentName() : null;
        return new BadRequestBodyException("malformed-json", field, located("malformed JSON", e.getLocation())
                + (field != null ? " in \"" + field + "\"" : "") + ": "
                + Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName()).replace(JACKSON_REDACTED_SOURCE, ""));
    }

    /** How Jackson's messages start a location they quote; the rest ("line: 1, column: 1") is useful. */
    private static final String JACKSON_REDACTED_SOURCE = "Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ";

    private static BadRequestBodyException mismatch(MismatchedInputException e) {
        String field = path(e);
        if (field == null) {
            JsonToken token = currentToken(e);
            String problem = token == null ? "holds no JSON value" : "must be a JSON object with " + FIELDS + ", not " + given(e, token);
            if (token != null && e.getMessage() != null && e.getMessage().startsWith("Trailing token")) {
                problem = "must hold one JSON object and nothing after it; found " + given(e, token);
            }
            return new BadRequestBodyException("invalid-body", null, located("the body", e.getLocation()) + " " + problem);
        }
        String given = e instanceof InvalidNullException ? "null (leave the field out for the default)" : given(e, currentToken(e));
        return new BadRequestBodyException("invalid-field", field, "\"" + field + "\" must be " + expected(field) + ", not " + given);
    }

    private static String expected(String field) {
        if (field.equals("dryRun") || field.equals("force")) {
            return "true or false (a JSON boolean)";
        }
        if (field.equals("repositories")) {
            return "an array of repository ids (JSON strings)";
        }
        return "a repository id (a JSON string)";
    }

    /** What the body held where the field was expected, e.g. {@code the string "yes"}. */
    private static String given(MismatchedInputException e, JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case VALUE_STRING -> "the string " + quoted(text(e));
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + text(e);
            case VALUE_TRUE, VALUE_FALSE -> "the boolean " + text(e);
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT, FIELD_NAME -> "an object";
            default -> token.asString() != null ? token.asString() : token.name();
        };
    }

    private static JsonToken currentToken(MismatchedInputException e) {
        return e.getProcessor() instanceof JsonParser p ? p.currentToken() : null;
    }

    private static String text(MismatchedInputException e) {
        try {
            String text = e.getProcessor() instanceof JsonParser p ? p.getText() : null;
            return text == null ? "?" : text.length() > 64 ? text.substring(0, 64) + "…" : text;
        } catch (IOException unreadable) {
            return "?";
        }
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The JSON path of the field at fault: {@code dryRun}, {@code repositories}, {@code repositories[1]}; null for the body itself. */
    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /** {@code what} with " at line L, column C" where Jackson knows them; it does not always. */
    private static String located(String what, JsonLocation location) {
        if (location == null || location.getLineNr() <= 0 || location.getColumnNr() <= 0) {
            return what;
        }
        return what + " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
