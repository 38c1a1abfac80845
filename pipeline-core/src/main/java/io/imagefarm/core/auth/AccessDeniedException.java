package io.imagefarm.core.auth;

/** A verified caller asked for something its credential does not cover (HTTP 403); the message says what. */
public class AccessDeniedException extends RuntimeException {

    public AccessDeniedException(String message) {
        super(message);
    }
}
