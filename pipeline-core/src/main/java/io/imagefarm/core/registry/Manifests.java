package io.imagefarm.core.registry;

import io.imagefarm.core.event.EventCodec;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walking manifests, done once for everything that reads a repository: which manifests an index points
 * at, which blobs a manifest references, and when an image was made. Pure; the registry client fetches
 * the bytes.
 */
public final class Manifests {

    /** The OCI annotation an index (or manifest) may carry with its creation time. */
    public static final String CREATED_ANNOTATION = "org.opencontainers.image.created";

    /**
     * On an index entry, what the entry is for; buildx writes {@value #ATTESTATION_MANIFEST} on the entry of
     * an attestation manifest (platform {@code unknown/unknown}).
     */
    public static final String REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";

    /** On an attestation manifest's index entry: the digest of the image manifest it attests. */
    public static final String REFERENCE_DIGEST_ANNOTATION = "vnd.docker.reference.digest";

    public static final String ATTESTATION_MANIFEST = "attestation-manifest";

    private Manifests() {
    }

    /**
     * The manifests an index points at, in its order: entries typed as a manifest or an index, or not typed
     * at all. Unlike {@link Manifest#children()}, blobs an index lists (a buildx cache index does) are not
     * among them. None for an image.
     */
    public static List<Descriptor> childManifests(Manifest manifest) {
        if (!manifest.isIndex()) {
            return List.of();
        }
        return manifest.children().stream().filter(d -> isManifestOrIndex(d.mediaType())).toList();
    }

    /**
     * The blobs a manifest references, digest to size: an image's config and layers, or the entries of an
     * index that are not manifests.
     */
    public static Map<String, Long> blobs(Manifest manifest) {
        Map<String, Long> blobs = new LinkedHashMap<>();
        if (manifest.isIndex()) {
            for (Descriptor d : manifest.children()) {
                if (!isManifestOrIndex(d.mediaType())) {
                    blobs.put(d.digest(), d.size());
                }
            }
            return blobs;
        }
        if (manifest.config() != null) {
            blobs.put(manifest.config().digest(), manifest.config().size());
        }
        if (manifest.layers() != null) {
            manifest.layers().forEach(l -> blobs.put(l.digest(), l.size()));
        }
        return blobs;
    }

    /** Whether an index entry is an attestation manifest ({@value #REFERENCE_TYPE_ANNOTATION} says so). */
    public static boolean isAttestation(Descriptor entry) {
        return entry.annotations() != null
                && ATTESTATION_MANIFEST.equals(entry.annotations().get(REFERENCE_TYPE_ANNOTATION));
    }

    /**
     * The digest of the image an attestation entry attests ({@value #REFERENCE_DIGEST_ANNOTATION}); empty for
     * an entry that is not an attestation manifest or names none.
     */
    public static Optional<String> attestedDigest(Descriptor entry) {
        if (!isAttestation(entry)) {
            return Optional.empty();
        }
        return Optional.ofNullable(entry.annotations().get(REFERENCE_DIGEST_ANNOTATION));
    }

    /**
     * Which entry attests which, attestation digest to the attested image's digest, for every attestation
     * entry of an index that names its image. Empty for an image.
     */
    public static Map<String, String> attestations(Manifest manifest) {
        Map<String, String> attests = new LinkedHashMap<>();
        for (Descriptor d : childManifests(manifest)) {
            attestedDigest(d).ifPresent(subject -> attests.put(d.digest(), subject));
        }
        return attests;
    }

    /** The {@value #CREATED_ANNOTATION} annotation; empty when there is none or it is not a time. */
    public static Optional<Instant> annotatedCreated(Manifest manifest) {
        return parseTime(manifest.annotations() == null ? null : manifest.annotations().get(CREATED_ANNOTATION));
    }

    /**
     * An image config's {@code created}; empty when the config does not say, says something that is not a
     * time, or is not JSON.
     */
    public static Optional<Instant> configCreated(byte[] config) {
        try {
            return parseTime(EventCodec.mapper().readTree(config).path("created").asText(null));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** An RFC 3339 time as OCI configs and annotations (and GitHub's API) write it; empty when absent or malformed. */
    public static Optional<Instant> parseTime(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** An untyped entry counts as a manifest: walked (a blob there is simply not found as one), never overlooked. */
    private static boolean isManifestOrIndex(String mediaType) {
        return mediaType == null || MediaTypes.isIndex(mediaType) || MediaTypes.isManifest(mediaType);
    }
}
