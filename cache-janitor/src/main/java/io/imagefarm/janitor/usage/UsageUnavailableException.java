package io.imagefarm.janitor.usage;

/** The usage history could not be read: the run stops before planning, nothing is deleted. */
public final class UsageUnavailableException extends RuntimeException {

    public UsageUnavailableException(String message) {
        super(message);
    }

    public UsageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
