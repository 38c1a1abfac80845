package io.imagefarm.hasher.rest;

/** A request body that is not what the endpoint takes (malformed JSON, missing fields). */
public final class BadRequestBodyException extends RuntimeException {

    private final String code;

    public BadRequestBodyException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
