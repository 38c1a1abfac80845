package io.imagefarm.hasher.rest;

/** The replica's bound on waiting requests is reached (HTTP 429 with Retry-After). */
public class TooManyWaitersException extends RuntimeException {

    public TooManyWaitersException(String message) {
        super(message);
    }
}
