package io.imagefarm.edge;

/** 400: a request body, parameter or field that is not what the endpoint takes. */
public final class BadRequestException extends ApiException {

    public BadRequestException(String code, String message) {
        super(400, code, message);
    }

    /** @param field the offending field's JSON path ({@code dryRun}, {@code repositories[1]}), or null */
    public BadRequestException(String code, String field, String message) {
        super(400, code, field, message);
    }
}
