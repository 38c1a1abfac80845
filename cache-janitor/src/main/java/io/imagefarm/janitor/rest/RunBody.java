package io.imagefarm.janitor.rest;

import io.imagefarm.edge.BadRequestException;
import io.imagefarm.edge.JsonBodies;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/janitor/runs}: {@code {"dryRun": true, "force": false, "repositories": ["id"]}},
 * every field optional (absent: the default), an empty body the same as {@code {}}.
 *
 * <p>Read by the REST edge's strict {@link JsonBodies}, because a misread field decides what gets deleted:
 * no coercion, no unknown field (a typo such as {@code "dryrun": false} cannot silently fall back to the
 * default), and {@code null} refused for every field and element (leave the field out instead). Every
 * refusal is a {@link BadRequestException} naming the field, or the line and column of malformed JSON.
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

    private static final JsonBodies.Reader<Wire> READER =
            JsonBodies.reader(Wire.class, FIELDS, JsonBodies.Nullness.NULL_REFUSED, RunBody::expected);

    /** The body, or a {@link BadRequestException} saying what is wrong with it. */
    static RunBody parse(byte[] body) {
        if (body == null || body.length == 0) {
            return DEFAULTS;
        }
        Wire parsed = READER.readOrNull(body);
        if (parsed == null) {
            throw new BadRequestException("invalid-body", "the body must be a JSON object with " + FIELDS
                    + ", not null; send {} or no body for the defaults");
        }
        return new RunBody(parsed.dryRun, parsed.force, parsed.repositories);
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
}
