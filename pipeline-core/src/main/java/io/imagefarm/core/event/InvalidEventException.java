package io.imagefarm.core.event;

/** A record that is not a valid event. Permanent: it goes to a dead-letter topic, never retried. */
public final class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
