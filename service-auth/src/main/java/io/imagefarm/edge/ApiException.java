package io.imagefarm.edge;

/**
 * A request the service answers with a 4xx of its own choosing: the status, a stable code and a message
 * safe to show the caller (it names what is wrong with the request, never an internal detail).
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String message) {
        this(status, code, null, message);
    }

    /** @param field the request body's field at fault (its JSON path), or null */
    public ApiException(int status, String code, String field, String message) {
        super(message);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("an ApiException is a client error, not " + status);
        }
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The body's field at fault, or null when no single field is to blame. */
    public String field() {
        return field;
    }

    /** Seconds a 429's caller should wait, or 0 for no {@code Retry-After}. */
    public int retryAfterSeconds() {
        return 0;
    }

    public ApiError body() {
        return new ApiError(code, getMessage(), field, null);
    }
}
