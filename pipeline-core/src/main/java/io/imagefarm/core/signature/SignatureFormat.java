package io.imagefarm.core.signature;

import io.imagefarm.core.image.OciNames;

/**
 * cosign's signature format, as sigstore's SIGNATURE_SPEC describes it: the names both the signer and
 * the verifier use, in one place.
 */
public final class SignatureFormat {

    /** The media type of a simple-signing payload layer. */
    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** The layer annotation holding the base64 ASN.1 DER ECDSA signature over the payload blob. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /** {@code critical.type} of every cosign container image signature. */
    public static final String COSIGN_TYPE = "cosign container image signature";

    /** The prefix of every SLSA provenance predicate type (v0.2 is what buildx writes, v1 its successor). */
    public static final String SLSA_PROVENANCE_PREFIX = "https://slsa.dev/provenance/";

    /** Payloads are small JSON documents; a larger "payload" is refused before it is read. */
    public static final long MAX_PAYLOAD_BYTES = 64 * 1024;
    /** Signatures kept in one signature manifest; the oldest are dropped beyond it. */
    public static final int MAX_SIGNATURES = 16;

    private SignatureFormat() {
    }

    /**
     * The tag holding the signatures of {@code digest}: {@code sha256:abc...} becomes
     * {@code sha256-abc....sig}.
     */
    public static String signatureTag(String digest) {
        OciNames.requireDigest(digest);
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("cosign signatures name sha256 digests only, not " + digest);
        }
        return digest.replace(':', '-') + ".sig";
    }
}
