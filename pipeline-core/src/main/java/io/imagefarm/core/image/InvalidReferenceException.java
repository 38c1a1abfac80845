package io.imagefarm.core.image;

/** A repository name, tag, digest or image reference that breaks the OCI distribution grammar. */
public final class InvalidReferenceException extends IllegalArgumentException {

    public InvalidReferenceException(String message) {
        super(message);
    }
}
