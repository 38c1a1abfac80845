package io.imagefarm.core.signature;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.core.signature.SignatureVerifier.VerifiedSignature;
import io.imagefarm.core.signature.VerificationFailedException.Check;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code imagefarm verify} checks of a pinned image {@code IMAGE[:TAG]@DIGEST}, in this order:
 * <ol>
 *   <li>with a tag: the tag still points at the digest ({@link Check#TAG_MOVED});</li>
 *   <li>the index (or single image) and each platform manifest of it carry a signature that verifies with
 *       the key, names the digest it is stored for, and states the expected claims ({@link SignatureVerifier});</li>
 *   <li>unless provenance is not required: every platform manifest has an attestation manifest whose in-toto
 *       statements all name that platform manifest as their subject, one of them SLSA provenance. The
 *       attestation manifests are not signed on their own: the signed index digest covers their digests,
 *       and they are fetched by digest and checked against it.</li>
 * </ol>
 * The first check that fails is thrown; nothing is reported as verified unless all held.
 */
public final class ImageVerifier {

    /** An in-toto statement larger than this is refused before it is read (mode=max provenance is ~100 KB). */
    static final long MAX_STATEMENT_BYTES = 8L * 1024 * 1024;
    /**
     * Entries of an index that are read: every platform costs registry calls, and the index is the
     * registry's word. buildx writes two per platform.
     */
    static final int MAX_INDEX_ENTRIES = 64;

    private final ContentReader registry;
    private final SignatureVerifier signatures;

    public ImageVerifier(VerificationKey key, ContentReader registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.signatures = new SignatureVerifier(key, registry);
    }

    /** Whether platform manifests must carry SLSA provenance. */
    public enum Provenance {
        REQUIRED,
        /** For images built without {@code --provenance}: signatures only. */
        NOT_CHECKED
    }

    /** One platform manifest's provenance: the attestation manifest and the predicate types it holds. */
    public record VerifiedProvenance(String platform, String manifestDigest, String attestationDigest,
                                     List<String> predicateTypes) {
    }

    /**
     * Everything that held.
     *
     * @param signatures the index's first, then each platform manifest's
     * @param platforms  platform name by manifest digest, in the index's order (empty for a single image)
     */
    public record VerifiedImage(ImageRef image, List<VerifiedSignature> signatures, Map<String, String> platforms,
                                List<VerifiedProvenance> provenance) {
    }

    /**
     * @param image {@code registry/path[:tag]@digest}
     * @throws VerificationFailedException naming the check that failed
     * @throws IllegalArgumentException if {@code image} names no digest
     */
    public VerifiedImage verify(ImageRef image, ExpectedClaims expected, Provenance provenance)
            throws VerificationFailedException {
        if (image.digest() == null) {
            throw new IllegalArgumentException(image + " names no digest: verify a pinned image, IMAGE@sha256:...");
        }
        Repository repository = image.repo();
        String digest = image.digest();
        if (image.tag() != null) {
            checkTag(image);
        }
        ContentReader.Fetched top = registry.manifest(repository.digest(digest)).orElseThrow(() ->
                new VerificationFailedException(Check.IMAGE_NOT_FOUND, digest, repository + "@" + digest + " does not exist"));

        if (top.manifest().children().size() > MAX_INDEX_ENTRIES) {
            throw new VerificationFailedException(Check.INDEX_TOO_LARGE, digest, "the index " + digest + " holds " + top.manifest().children().size()
                    + " entries; at most " + MAX_INDEX_ENTRIES + " are verified");
        }
        List<VerifiedSignature> verified = new ArrayList<>();
        verified.add(signatures.verify(repository, digest, expected));
        Map<String, String> platforms = new LinkedHashMap<>();
        for (Descriptor platform : Attestations.platformManifests(top.manifest())) {
            platforms.put(platform.digest(), Attestations.platformName(platform));
            verified.add(signatures.verify(repository, platform.digest(), expected));
        }
        List<VerifiedProvenance> provenances = provenance == Provenance.REQUIRED
                ? checkProvenance(repository, digest, top.manifest(), platforms)
                : List.of();
        return new VerifiedImage(image, List.copyOf(verified), platforms, provenances);
    }

    private void checkTag(ImageRef image) throws VerificationFailedException {
        ImageRef tag = image.repo().tag(image.tag());
        Optional<ContentReader.Fetched> current = registry.manifest(tag);
        if (current.isEmpty()) {
            throw new VerificationFailedException(Check.TAG_MOVED, image.digest(), tag + " no longer exists");
        }
        if (!current.get().digest().equals(image.digest())) {
            throw new VerificationFailedException(Check.TAG_MOVED, image.digest(), tag + " now points at "
                    + current.get().digest() + ", not " + image.digest() + " (pushed over or moved)");
        }
    }

    private List<VerifiedProvenance> checkProvenance(Repository repository, String digest, Manifest top,
                                                     Map<String, String> platforms) throws VerificationFailedException {
        if (!top.isIndex()) {
            throw new VerificationFailedException(Check.MISSING_PROVENANCE, digest, digest
                    + " is a single image, not an index: it has no attestation manifests");
        }
        List<Descriptor> attestations = Attestations.attestationManifests(top);
        if (attestations.isEmpty()) {
            throw new VerificationFailedException(Check.MISSING_PROVENANCE, digest, "the index " + digest
                    + " holds no attestation manifests (built without --provenance?)");
        }
        List<VerifiedProvenance> result = new ArrayList<>();
        Set<String> covered = new HashSet<>();
        for (Descriptor attestation : attestations) {
            String subject = Attestations.subjectDigest(attestation);
            if (subject == null || !platforms.containsKey(subject)) {
                throw new VerificationFailedException(Check.WRONG_PROVENANCE_SUBJECT, attestation.digest(),
                        "the attestation manifest " + attestation.digest() + " is attached to "
                                + (subject == null ? "no image (no " + Manifests.REFERENCE_DIGEST_ANNOTATION + ")"
                                : subject + ", which is not a platform manifest of " + digest));
            }
            List<String> types = checkStatements(repository, attestation, subject, platforms.get(subject));
            if (types.stream().anyMatch(t -> t.startsWith(SignatureFormat.SLSA_PROVENANCE_PREFIX))) {
                covered.add(subject);
                result.add(new VerifiedProvenance(platforms.get(subject), subject, attestation.digest(), types));
            }
        }
        for (Map.Entry<String, String> platform : platforms.entrySet()) {
            if (!covered.contains(platform.getKey())) {
                throw new VerificationFailedException(Check.MISSING_PROVENANCE, platform.getKey(), "the "
                        + platform.getValue() + " manifest " + platform.getKey() + " has no SLSA provenance attached");
            }
        }
        return List.copyOf(result);
    }

    /** The predicate types of an attestation manifest's statements, each checked to name {@code subject}. */
    private List<String> checkStatements(Repository repository, Descriptor attestation, String subject, String platform)
            throws VerificationFailedException {
        Manifest manifest = registry.manifest(repository.digest(attestation.digest()))
                .orElseThrow(() -> new VerificationFailedException(Check.IMAGE_NOT_FOUND, attestation.digest(),
                        "the attestation manifest " + attestation.digest() + " of " + platform + " does not exist"))
                .manifest();
        List<String> types = new ArrayList<>();
        String subjectHex = subject.substring(subject.indexOf(':') + 1);
        for (Descriptor layer : manifest.layers() == null ? List.<Descriptor>of() : manifest.layers()) {
            if (layer == null || !MediaTypes.IN_TOTO.equals(layer.mediaType())) {
                continue;
            }
            if (layer.size() > MAX_STATEMENT_BYTES) {
                throw new VerificationFailedException(Check.WRONG_PROVENANCE_SUBJECT, subject, "the in-toto statement "
                        + layer.digest() + " of " + platform + " is " + layer.size() + " bytes; at most "
                        + MAX_STATEMENT_BYTES + " are read");
            }
            JsonNode statement = statement(repository, layer, subject, platform);
            JsonNode subjects = statement.path("subject");
            if (!subjects.isArray() || subjects.isEmpty()) {
                throw new VerificationFailedException(Check.WRONG_PROVENANCE_SUBJECT, subject, "the in-toto statement "
                        + layer.digest() + " of " + platform + " names no subject");
            }
            for (JsonNode s : subjects) {
                String named = s.path("digest").path("sha256").asText(null);
                if (!subjectHex.equals(named)) {
                    throw new VerificationFailedException(Check.WRONG_PROVENANCE_SUBJECT, subject, "the provenance of "
                            + platform + " (" + layer.digest() + ") names subject sha256:" + named + ", not the "
                            + platform + " manifest " + subject);
                }
            }
            types.add(statement.path("predicateType").asText(""));
        }
        return types;
    }

    private JsonNode statement(Repository repository, Descriptor layer, String subject, String platform)
            throws VerificationFailedException {
        try {
            JsonNode node = SimpleSigningPayload.STRICT.readTree(registry.blob(repository, layer.digest()));
            if (node == null || !node.isObject()) {
                throw new IOException("not an object");
            }
            return node;
        } catch (IOException e) {
            throw new VerificationFailedException(Check.WRONG_PROVENANCE_SUBJECT, subject, "the in-toto statement "
                    + layer.digest() + " of " + platform + " is not a JSON object with unique keys");
        } catch (RegistryException e) {
            if (e.status() == 404) {
                throw new VerificationFailedException(Check.MISSING_PROVENANCE, subject, "the in-toto statement "
                        + layer.digest() + " of " + platform + " is missing from the registry");
            }
            throw e;
        }
    }
}
