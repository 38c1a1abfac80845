package io.imagefarm.core.signature;

/**
 * A check of {@code verify} that did not hold. {@link #check()} says which, {@link #digest()} of what; the
 * message is for a human and names both.
 */
public class VerificationFailedException extends Exception {

    /** The checks, each with the id the CLI prints. */
    public enum Check {
        /** The image (or a manifest of its index) is not in the registry. */
        IMAGE_NOT_FOUND("image-not-found"),
        /** An index with more entries than a verifier reads (buildx writes two per platform). */
        INDEX_TOO_LARGE("index-too-large"),
        /** The tag given with the digest no longer points at it (moved or pushed over). */
        TAG_MOVED("tag-moved"),
        /** No {@code sha256-<hex>.sig} manifest, or one without a simple-signing layer. */
        MISSING_SIGNATURE("missing-signature"),
        /** No signature verifies over its payload with the key (another key, tampered payload, garbage). */
        BAD_SIGNATURE("bad-signature"),
        /** A validly signed payload that is not a cosign simple-signing payload. */
        MALFORMED_PAYLOAD("malformed-payload"),
        /** A validly signed payload naming another digest than the one it is stored for. */
        WRONG_DIGEST("wrong-digest"),
        WRONG_REPOSITORY("wrong-repository"),
        WRONG_COMMIT("wrong-commit"),
        WRONG_VERSION_HASH("wrong-version-hash"),
        /** A platform manifest without an attestation manifest holding SLSA provenance. */
        MISSING_PROVENANCE("missing-provenance"),
        /** Provenance whose in-toto subject is not the platform manifest it is attached to. */
        WRONG_PROVENANCE_SUBJECT("wrong-provenance-subject");

        private final String id;

        Check(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Check check;
    private final String digest;

    public VerificationFailedException(Check check, String digest, String message) {
        super(check.id() + ": " + message);
        this.check = check;
        this.digest = digest;
    }

    public Check check() {
        return check;
    }

    /** The digest whose check failed. */
    public String digest() {
        return digest;
    }
}
