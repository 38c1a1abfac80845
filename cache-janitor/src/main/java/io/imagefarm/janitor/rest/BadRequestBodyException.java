package io.imagefarm.janitor.rest;

/**
 * A request body the runs API does not take: malformed JSON, a field of the wrong type, an unknown field
 * or repository. Answered 400 with {@link ApiError}, naming the field where one is to blame.
 */
public final class BadRequestBodyException extends RuntimeException {

    private final String code;
    private final String field;

    /**
     * @param code    stable, machine-readable: {@code malformed-json}, {@code invalid-body}, {@code invalid-field},
     *                {@code unknown-field}, {@code unknown-repository}
     * @param field   the offending field's JSON path ({@code dryRun}, {@code repositories[1]}), or null
     * @param message what is wrong, for a human
     */
    public BadRequestBodyException(String code, String field, String message) {
        super(message);
        this.code = code;
        this.field = field;
    }

    public String code() {
        return code;
    }

    /** The offending field's JSON path, or null when no single field is to blame. */
    public String field() {
        return field;
    }
}
