package io.imagefarm.edge;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
import io.imagefarm.core.hash.ParseLimits;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Request bodies, read strictly, the same way in every service: a JSON object whose fields have their
 * JSON types ({@code "true"}, {@code 1} and {@code "yes"} are no boolean, a lone string is no array, a
 * number is no string), no unknown field (a typo must not fall back to a default silently), no duplicate
 * field, nothing after the object, nesting and size bounded by {@link ParseLimits}. Every refusal is a
 * {@link BadRequestException} with a stable code ({@code malformed-json}, {@code invalid-body},
 * {@code invalid-field}, {@code unknown-field}) naming the field, or the line and column of malformed
 * JSON; the body's own text is quoted only as far as the offending token, at most 64 characters.
 */
public final class JsonBodies {

    /** How a reader treats an explicit {@code null}: as the field left out, or as a refusal. */
    public enum Nullness { NULL_IS_ABSENT, NULL_REFUSED }

    private static final String JACKSON_REDACTED_SOURCE = "Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ";

    private static final JsonMapper NULL_IS_ABSENT = strict(false);
    private static final JsonMapper NULL_REFUSED = strict(true);

    private JsonBodies() {
    }

    /**
     * A reader of bodies of {@code type}.
     *
     * @param fields   the fields it takes, for messages: {@code dryRun (boolean), force (boolean)}
     * @param expected what a field's value must be, for messages, by the field's JSON path
     *                 ({@code repositories[1]}); null for the generic wording from the field's type
     */
    public static <T> Reader<T> reader(Class<T> type, String fields, Nullness nullness, Function<String, String> expected) {
        JsonMapper mapper = nullness == Nullness.NULL_REFUSED ? NULL_REFUSED : NULL_IS_ABSENT;
        return new Reader<>(mapper, mapper.readerFor(type), fields, expected);
    }

    /** Reads one kind of body. Thread-safe. */
    public static final class Reader<T> {

        private final JsonMapper mapper;
        private final ObjectReader reader;
        private final String fields;
        private final Function<String, String> expected;

        private Reader(JsonMapper mapper, ObjectReader reader, String fields, Function<String, String> expected) {
            this.mapper = mapper;
            this.reader = reader;
            this.fields = fields;
            this.expected = expected;
        }

        /**
         * The body as a {@code T}, or a {@link BadRequestException} saying what is wrong with it.
         *
         * @return null for an empty body or JSON {@code null} (the caller decides whether that means defaults)
         */
        public T readOrNull(byte[] body) {
            if (body == null || body.length == 0) {
                return null;
            }
            try (JsonParser parser = mapper.createParser(body)) {
                try {
                    return reader.readValue(parser);
                } catch (JsonProcessingException e) {
                    throw refusal(e); // while the parser is open: the exception reads the offending token from it
                }
            } catch (IOException e) {
                throw new BadRequestException("malformed-json", "the body cannot be read");
            }
        }

        /** {@link #readOrNull}, with an empty body or JSON {@code null} refused. */
        public T read(byte[] body) {
            T value = readOrNull(body);
            if (value == null) {
                throw new BadRequestException("invalid-body", "the body must be a JSON object with " + fields);
            }
            return value;
        }

        private BadRequestException refusal(JsonProcessingException e) {
            if (e instanceof UnrecognizedPropertyException u) {
                return new BadRequestException("unknown-field", path(u),
                        "unknown field \"" + u.getPropertyName() + "\"; the body takes " + fields);
            }
            if (e instanceof MismatchedInputException m) {
                return mismatch(m);
            }
            // a value that does not parse belongs to the field just named; anything else (a missing quote or
            // comma, a duplicate) is between fields, and the line and column say where
            String field = e.getProcessor() instanceof JsonParser p && p.currentToken() == JsonToken.FIELD_NAME
                    ? p.getParsingContext().getCurrentName() : null;
            return new BadRequestException("malformed-json", field, located("malformed JSON", e.getLocation())
                    + (field != null ? " in \"" + field + "\"" : "") + ": "
                    + Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName()).replace(JACKSON_REDACTED_SOURCE, ""));
        }

        private BadRequestException mismatch(MismatchedInputException e) {
            String field = path(e);
            if (field == null) {
                JsonToken token = currentToken(e);
                String problem = token == null ? "holds no JSON value" : "must be a JSON object with " + fields + ", not " + given(e, token);
                if (token != null && e.getMessage() != null && e.getMessage().startsWith("Trailing token")) {
                    problem = "must hold one JSON object and nothing after it; found " + given(e, token);
                }
                return new BadRequestException("invalid-body", located("the body", e.getLocation()) + " " + problem);
            }
            String given = e instanceof InvalidNullException ? "null (leave the field out for the default)" : given(e, currentToken(e));
            String wanted = expected == null ? null : expected.apply(field);
            return new BadRequestException("invalid-field", field, "\"" + field + "\" must be "
                    + (wanted != null ? wanted : generic(e.getTargetType())) + ", not " + given);
        }
    }

    private static JsonMapper strict(boolean nullsRefused) {
        JsonMapper.Builder builder = JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(ParseLimits.MAX_NESTING_DEPTH)
                                .maxDocumentLength(ParseLimits.MAX_FILE_BYTES * 8L)
                                .build())
                        .build())
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
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
        if (nullsRefused) {
            builder.defaultSetterInfo(JsonSetter.Value.construct(Nulls.FAIL, Nulls.FAIL));
        }
        return builder.build();
    }

    private static String generic(Class<?> type) {
        if (type == null) {
            return "a JSON value of another type";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false (a JSON boolean)";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a JSON string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a JSON number";
        }
        return "a JSON object";
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
