package io.imagefarm.git;

/** A source URL the {@link SourceUrlRules} refuse. Its message shows the URL redacted, so it may reach a client or a status. */
public final class RefusedSourceUrlException extends RuntimeException {

    public RefusedSourceUrlException(String message) {
        super(message);
    }
}
