package io.imagefarm.hasher.source;

/** The source could not be reached or answered badly. Transient: retry later. */
public final class SourceUnavailableException extends RuntimeException {

    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
