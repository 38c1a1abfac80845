package io.imagefarm.hasher.resolve;

/**
 * A per-arch image that cannot go into the multi-arch index: missing, too large, or an index whose entries
 * are not one image manifest of the arch's platform and at most one attestation manifest of it. Permanent:
 * the same tag gives the same answer, so assembly is not retried.
 */
public final class InvalidArchImageException extends RuntimeException {

    public InvalidArchImageException(String message) {
        super(message);
    }
}
