package io.imagefarm.git;

/**
 * A fetch that did not deliver the commit, with why. Each caller maps the reason to its own failure
 * (the hasher to an HTTP answer, a worker to a {@code FailureKind}); messages never carry credentials.
 */
public final class GitFetchException extends RuntimeException {

    public enum Reason {
        /** The remote says there is no such repository (or hides it from these credentials). */
        REPOSITORY_NOT_FOUND,
        /** The remote answers, but serves the commit neither by SHA nor as a branch or tag tip. */
        COMMIT_NOT_FOUND,
        /** The remote could not be reached or failed mid-way: worth another try later. */
        UNAVAILABLE
    }

    private final Reason reason;

    GitFetchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
