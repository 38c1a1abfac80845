package io.imagefarm.hasher.source;

/** The repository or the commit does not exist at the source. Permanent. */
public final class SourceNotFoundException extends RuntimeException {

    public enum What { REPOSITORY, COMMIT }

    private final What what;

    public SourceNotFoundException(What what, String message) {
        super(message);
        this.what = what;
    }

    public What what() {
        return what;
    }
}
