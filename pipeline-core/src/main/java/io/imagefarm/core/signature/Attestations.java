package io.imagefarm.core.signature;

import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.Manifests;
import java.util.List;

/**
 * Which entries of an index are platform images and which are buildx attestation manifests (platform
 * {@code unknown/unknown}, {@code vnd.docker.reference.type=attestation-manifest}, the image they describe in
 * {@code vnd.docker.reference.digest}).
 */
public final class Attestations {

    private Attestations() {
    }

    /**
     * An attestation manifest: by its reference type annotation ({@link Manifests#isAttestation}), or by
     * buildx's {@code unknown/unknown} platform, which is never an image to run: such an entry is not signed
     * as a platform, and without a reference digest it fails verification as attached to no image.
     */
    public static boolean isAttestation(Descriptor entry) {
        if (Manifests.isAttestation(entry)) {
            return true;
        }
        Descriptor.Platform platform = entry.platform();
        return platform != null && "unknown".equals(platform.os()) && "unknown".equals(platform.architecture());
    }

    /** The image an attestation manifest describes, or null if it does not say. */
    public static String subjectDigest(Descriptor attestation) {
        return Manifests.attestedDigest(attestation).orElse(null);
    }

    /** The platform images of an index, in its order; none for an image manifest. */
    public static List<Descriptor> platformManifests(Manifest index) {
        return Manifests.childManifests(index).stream().filter(d -> !isAttestation(d)).toList();
    }

    /** The attestation manifests of an index, in its order. */
    public static List<Descriptor> attestationManifests(Manifest index) {
        return Manifests.childManifests(index).stream().filter(Attestations::isAttestation).toList();
    }

    /** {@code linux/amd64}, {@code linux/arm/v7}; the digest when the entry names no platform. */
    public static String platformName(Descriptor entry) {
        Descriptor.Platform p = entry.platform();
        if (p == null) {
            return entry.digest();
        }
        return p.os() + "/" + p.architecture() + (p.variant() != null ? "/" + p.variant() : "");
    }
}
