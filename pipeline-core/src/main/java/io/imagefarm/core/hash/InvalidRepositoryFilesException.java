package io.imagefarm.core.hash;

/**
 * A hash input is missing or unreadable where the seed's bash step would have failed too. Permanent:
 * retrying with the same files cannot succeed.
 */
public final class InvalidRepositoryFilesException extends RuntimeException {

    private final String file;

    public InvalidRepositoryFilesException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The repository-relative path of the offending file. */
    public String file() {
        return file;
    }
}
