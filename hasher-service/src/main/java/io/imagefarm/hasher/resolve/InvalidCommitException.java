package io.imagefarm.hasher.resolve;

/** A commit that is not a full lower-case SHA (HTTP 400 {@code invalid-commit}); the message says what is expected. */
public final class InvalidCommitException extends RuntimeException {

    public InvalidCommitException(String message) {
        super(message);
    }
}
