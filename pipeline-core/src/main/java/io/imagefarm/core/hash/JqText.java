package io.imagefarm.core.hash;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code jq -r '.a.b | ltrimstr("^")' file} prints, for the seed's package.json lookups.
 * Mirrors jq 1.7 (the version on GitHub's ubuntu-24.04 runners): numbers print as their literal
 * in canonical decimal form, strings raw, other values as jq's indented JSON, a missing key as
 * {@code null}, and each input value of the file gives one line.
 */
final class JqText {

    /** Bounded by {@link ParseLimits}: Jackson refuses deeper nesting and longer input while it reads. */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(ParseLimits.MAX_NESTING_DEPTH)
                            .maxDocumentLength(ParseLimits.MAX_FILE_BYTES)
                            .build())
                    .build())
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private JqText() {
    }

    /** The lines jq would print, joined by '\n', without the trailing newline(s) bash's $(...) drops. */
    static String pathWithoutLeadingCaret(String file, byte[] json, String... path) {
        ParseLimits.checkSize(file, json);
        List<String> outputs = new ArrayList<>();
        JsonParser parser;
        try {
            parser = MAPPER.createParser(json);
        } catch (IOException e) {
            throw new InvalidRepositoryFilesException(file, "cannot read JSON: " + e.getMessage());
        }
        try (parser; MappingIterator<JsonNode> values = MAPPER.readerFor(JsonNode.class).readValues(parser)) {
            while (values.hasNextValue()) {
                JsonNode node = values.nextValue();
                String where = ".";
                for (String key : path) {
                    if (node == null || node.isNull() || node.isMissingNode()) {
                        node = null;
                    } else if (node.isObject()) {
                        node = node.get(key);
                    } else {
                        throw new InvalidRepositoryFilesException(file,
                                "cannot look up '" + key + "' in " + where + ": it is " + jqType(node) + ", not an object");
                    }
                    where = where.equals(".") ? "." + key : where + "." + key;
                }
                outputs.add(ltrimCaretRaw(node));
            }
        } catch (JsonProcessingException e) {
            throw invalidJson(file, e, parser);
        } catch (IOException e) {
            throw new InvalidRepositoryFilesException(file, "cannot read JSON: " + e.getMessage());
        }
        return BashText.commandSubstitution(String.join("\n", outputs));
    }

    /**
     * Where Jackson's exception carries no location (its {@link StreamConstraintsException}s do not),
     * the start of the token the parser stopped at stands in (for too deep a nesting: the bracket one
     * level too deep); where neither is known the message goes without it.
     */
    private static InvalidRepositoryFilesException invalidJson(String file, JsonProcessingException e, JsonParser parser) {
        JsonLocation location = e.getLocation() != null ? e.getLocation() : parser.currentTokenLocation();
        long line = location != null ? location.getLineNr() : 0;
        long column = location != null ? location.getColumnNr() : 0;
        if (e instanceof StreamConstraintsException && parser.getParsingContext() != null
                && parser.getParsingContext().getNestingDepth() > ParseLimits.MAX_NESTING_DEPTH) {
            return ParseLimits.tooDeep(file, "JSON", "arrays and objects", line, column);
        }
        return new InvalidRepositoryFilesException(file, ParseLimits.located("invalid JSON", line, column) + ": "
                + Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName()));
    }

    private static String ltrimCaretRaw(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            String text = node.textValue();
            return text.startsWith("^") ? text.substring(1) : text;
        }
        StringBuilder out = new StringBuilder();
        dump(node, 0, out);
        return out.toString();
    }

    private static void dump(JsonNode node, int depth, StringBuilder out) {
        if (node.isNull()) {
            out.append("null");
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isNumber()) {
            out.append(node.isBigDecimal() ? node.decimalValue().toString() : node.numberValue().toString());
        } else if (node.isTextual()) {
            quote(node.textValue(), out);
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[\n");
            Iterator<JsonNode> items = node.elements();
            while (items.hasNext()) {
                indent(depth + 1, out);
                dump(items.next(), depth + 1, out);
                out.append(items.hasNext() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append(']');
        } else if (node.isObject()) {
            if (node.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                indent(depth + 1, out);
                quote(field.getKey(), out);
                out.append(": ");
                dump(field.getValue(), depth + 1, out);
                out.append(fields.hasNext() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append('}');
        }
    }

    private static void indent(int depth, StringBuilder out) {
        out.append("  ".repeat(depth));
    }

    /** jq's string escaping: quotes, backslash, control characters and DEL; other code points raw. */
    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String jqType(JsonNode node) {
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        return "a " + node.getNodeType().name().toLowerCase();
    }
}
