package io.imagefarm.core.signature;

import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.core.signature.VerificationFailedException.Check;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks the signature of one digest: fetches {@code sha256-<hex>.sig} from the image's repository and
 * accepts it if one of its layers (cosign keeps several) holds a payload that
 * <ol>
 *   <li>verifies with the key (ECDSA P-256, SHA-256, DER, base64 in the annotation),</li>
 *   <li>is a cosign simple-signing payload,</li>
 *   <li>names the digest it is stored for ({@code critical.image.docker-manifest-digest}), and</li>
 *   <li>states the expected repository, commit and version hash, those that are given.</li>
 * </ol>
 * When none does, the failure names the check the best layer failed: a validly signed payload with the
 * wrong digest or claims is reported as such rather than as a bad signature.
 */
public final class SignatureVerifier {

    /** Layers looked at in one signature manifest; a tag stuffed with more is refused. */
    static final int MAX_LAYERS = 64;

    private final VerificationKey key;
    private final ContentReader registry;

    public SignatureVerifier(VerificationKey key, ContentReader registry) {
        this.key = Objects.requireNonNull(key, "key");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** What held: the digest and the payload that verified for it. */
    public record VerifiedSignature(String digest, SimpleSigningPayload payload) {
    }

    /** @throws VerificationFailedException naming the check that failed */
    public VerifiedSignature verify(Repository repository, String digest, ExpectedClaims expected)
            throws VerificationFailedException {
        String tag = SignatureFormat.signatureTag(digest);
        Optional<ContentReader.Fetched> fetched = registry.manifest(repository.tag(tag));
        if (fetched.isEmpty()) {
            throw new VerificationFailedException(Check.MISSING_SIGNATURE, digest,
                    "no signature for " + digest + ": " + repository + ":" + tag + " does not exist");
        }
        List<Descriptor> layers = SignatureManifest.signatureLayers(fetched.get().manifest());
        if (layers.isEmpty()) {
            throw new VerificationFailedException(Check.MISSING_SIGNATURE, digest,
                    "no signature for " + digest + ": " + repository + ":" + tag + " holds no "
                            + SignatureFormat.PAYLOAD_MEDIA_TYPE + " layer");
        }
        if (layers.size() > MAX_LAYERS) {
            throw new VerificationFailedException(Check.BAD_SIGNATURE, digest, repository + ":" + tag + " holds "
                    + layers.size() + " signature layers; at most " + MAX_LAYERS + " are read");
        }
        VerificationFailedException best = null;
        for (Descriptor layer : layers) {
            try {
                return new VerifiedSignature(digest, checkLayer(repository, digest, layer, expected));
            } catch (VerificationFailedException e) {
                if (best == null || rank(e.check()) > rank(best.check())) {
                    best = e;
                }
            }
        }
        throw best;
    }

    private SimpleSigningPayload checkLayer(Repository repository, String digest, Descriptor layer,
                                            ExpectedClaims expected) throws VerificationFailedException {
        String signatureText = layer.annotations() == null ? null
                : layer.annotations().get(SignatureFormat.SIGNATURE_ANNOTATION);
        if (signatureText == null || signatureText.isBlank()) {
            throw new VerificationFailedException(Check.BAD_SIGNATURE, digest, "the signature layer "
                    + layer.digest() + " of " + digest + " has no " + SignatureFormat.SIGNATURE_ANNOTATION + " annotation");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureText.strip());
        } catch (IllegalArgumentException e) {
            throw new VerificationFailedException(Check.BAD_SIGNATURE, digest,
                    "the signature of " + digest + " is not base64");
        }
        if (layer.size() > SignatureFormat.MAX_PAYLOAD_BYTES) {
            throw new VerificationFailedException(Check.BAD_SIGNATURE, digest, "the payload of " + digest
                    + " is " + layer.size() + " bytes; payloads are at most " + SignatureFormat.MAX_PAYLOAD_BYTES);
        }
        byte[] payload = payloadBlob(repository, digest, layer);
        if (!key.verifies(payload, signature)) {
            throw new VerificationFailedException(Check.BAD_SIGNATURE, digest, "the signature of " + digest
                    + " does not verify with " + key.source() + " (signed with another key, or the payload "
                    + layer.digest() + " is not what was signed)");
        }
        SimpleSigningPayload parsed;
        try {
            parsed = SimpleSigningPayload.parse(payload);
        } catch (IllegalArgumentException e) {
            throw new VerificationFailedException(Check.MALFORMED_PAYLOAD, digest,
                    "the signed payload of " + digest + " is not a cosign simple-signing payload: " + e.getMessage());
        }
        if (!digest.equals(parsed.manifestDigest())) {
            throw new VerificationFailedException(Check.WRONG_DIGEST, digest, "the signature stored for " + digest
                    + " signs " + parsed.manifestDigest() + " (a signature copied from another image)");
        }
        if (expected.repository().isPresent() && !expected.repository().get().equalsIgnoreCase(
                String.valueOf(parsed.repository()))) {
            throw new VerificationFailedException(Check.WRONG_REPOSITORY, digest, "the signature of " + digest
                    + " names repository " + parsed.repository() + ", not " + expected.repository().get());
        }
        if (expected.commit().isPresent() && !expected.commit().get().equals(parsed.commit())) {
            throw new VerificationFailedException(Check.WRONG_COMMIT, digest, "the signature of " + digest
                    + " names commit " + parsed.commit() + ", not " + expected.commit().get());
        }
        if (expected.versionHash().isPresent() && !expected.versionHash().get().equals(parsed.versionHash())) {
            throw new VerificationFailedException(Check.WRONG_VERSION_HASH, digest, "the signature of " + digest
                    + " names version hash " + parsed.versionHash() + ", not " + expected.versionHash().get());
        }
        return parsed;
    }

    private byte[] payloadBlob(Repository repository, String digest, Descriptor layer) throws VerificationFailedException {
        try {
            return registry.blob(repository, layer.digest());
        } catch (RegistryException e) {
            if (e.status() == 404 || "DIGEST_INVALID".equals(e.code())) {
                throw new VerificationFailedException(Check.BAD_SIGNATURE, digest, "the payload " + layer.digest()
                        + " of the signature of " + digest + " is missing or does not match its digest");
            }
            throw e;
        }
    }

    /** The further a layer got, the more its failure says. */
    private static int rank(Check check) {
        return switch (check) {
            case BAD_SIGNATURE -> 0;
            case MALFORMED_PAYLOAD -> 1;
            case WRONG_DIGEST -> 2;
            default -> 3;
        };
    }
}
