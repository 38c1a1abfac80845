package io.imagefarm.janitor.backend;

/** The registry has deletion disabled (distribution answers 405 UNSUPPORTED): nothing more can be deleted there. */
public final class DeletionUnsupportedException extends RuntimeException {

    public DeletionUnsupportedException(String message, Throwable cause) {
        super(message, cause);
    }
}
