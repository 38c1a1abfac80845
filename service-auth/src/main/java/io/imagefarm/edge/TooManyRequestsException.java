package io.imagefarm.edge;

/** 429 with {@code Retry-After}: the service is at a bound it keeps so its memory stays bounded. */
public final class TooManyRequestsException extends ApiException {

    private final int retryAfterSeconds;

    public TooManyRequestsException(String code, String message, int retryAfterSeconds) {
        super(429, code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
