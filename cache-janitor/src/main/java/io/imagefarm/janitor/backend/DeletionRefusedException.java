package io.imagefarm.janitor.backend;

/**
 * The registry refused this one deletion for good (e.g. GitHub's "cannot delete the last tagged version"
 * 400). Reported, never retried; the run goes on with the next item.
 */
public final class DeletionRefusedException extends RuntimeException {

    private final int status;

    public DeletionRefusedException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
