package io.imagefarm.hasher.resolve;

/** Kafka did not take a publication. Transient: nothing was published, the caller may retry. */
public final class PublishFailedException extends RuntimeException {

    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
