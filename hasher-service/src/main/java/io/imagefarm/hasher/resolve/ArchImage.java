package io.imagefarm.hasher.resolve;

import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.OciNames;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.registry.FetchedManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one arch's tag {@code builder-<hash>-<arch>} gives the multi-arch index: its image manifest and,
 * when the worker built it with provenance, the attestation manifest over it. A worker pushes an index
 * holding the two (buildx {@code --provenance}); images built before provenance are plain manifests, and
 * are taken as they are. The multi-arch index then holds the entries themselves, never the per-arch index
 * (a nested index is not what buildx makes for a multi-platform build, and clients resolve one level).
 * The entries are referenced by digest: their blobs are already in the repository.
 *
 * <p>What a per-arch index says is checked before any of it goes into the index CI pins: it is at most
 * {@value #MAX_INDEX_BYTES} bytes with at most {@value #MAX_ENTRIES} entries; every entry is an OCI or
 * Docker image manifest (never an index) with a well-formed digest and a size of 1 to
 * {@value #MAX_MANIFEST_BYTES} bytes; exactly one is an image of {@code linux/<arch>}; at most one is an
 * attestation manifest ({@code unknown/unknown}), and it attests that image. Only the checked fields are
 * carried over. Plain Java.
 *
 * @param image       the image manifest's entry, with the arch's platform
 * @param attestation the attestation manifest's entry, with buildx's annotations; null when there is none
 */
public record ArchImage(Descriptor image, Descriptor attestation) {

    /** A per-arch index is one or two entries and their annotations: ~1 KiB. */
    public static final int MAX_INDEX_BYTES = 64 * 1024;
    public static final int MAX_ENTRIES = 8;
    /** distribution refuses manifests over 4 MiB. */
    public static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;
    static final String UNKNOWN = "unknown";

    /** The entries, image first. */
    public List<Descriptor> entries() {
        return attestation == null ? List.of(image) : List.of(image, attestation);
    }

    /**
     * @param head  the tag's HEAD (its digest, media type and size)
     * @param fetch reads the tag's index by digest, when it is one
     * @throws InvalidArchImageException the tag cannot go into the index
     */
    public static ArchImage of(ImageRef tag, Arch arch, ManifestHead head, Supplier<Optional<FetchedManifest>> fetch) {
        requireDigest(tag, "its digest", head.digest());
        if (MediaTypes.isManifest(head.mediaType())) {
            requireSize(tag, "it", head.size(), MAX_MANIFEST_BYTES);
            return new ArchImage(new Descriptor(head.mediaType(), head.digest(), head.size(),
                    new Descriptor.Platform(arch.id(), "linux", null), null), null);
        }
        if (!MediaTypes.isIndex(head.mediaType())) {
            throw new InvalidArchImageException(tag + " is a " + head.mediaType() + ", neither an image manifest nor an index");
        }
        requireSize(tag, "it", head.size(), MAX_INDEX_BYTES);
        FetchedManifest fetched = fetch.get().orElseThrow(() -> new InvalidArchImageException(tag + " ("
                + head.digest() + ") went missing while its index was read"));
        if (!fetched.digest().equals(head.digest())) {
            throw new InvalidArchImageException(tag + " moved while its index was read: " + head.digest() + ", then "
                    + fetched.digest());
        }
        if (fetched.body().length > MAX_INDEX_BYTES) {
            throw new InvalidArchImageException(tag + " is " + fetched.body().length + " bytes; a per-arch index is at most "
                    + MAX_INDEX_BYTES);
        }
        return ofIndex(tag, arch, fetched.manifest());
    }

    static ArchImage ofIndex(ImageRef tag, Arch arch, Manifest index) {
        List<Descriptor> entries = index.children();
        if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
            throw new InvalidArchImageException(tag + " is an index of " + entries.size() + " entries; expected 1 to "
                    + MAX_ENTRIES);
        }
        List<Descriptor> images = new ArrayList<>();
        List<Descriptor> attestations = new ArrayList<>();
        for (Descriptor d : entries) {
            String what = "entry " + d.digest();
            requireDigest(tag, what, d.digest());
            if (!MediaTypes.isManifest(d.mediaType())) {
                throw new InvalidArchImageException(tag + ": " + what + " is a " + d.mediaType()
                        + "; a per-arch index holds image manifests only");
            }
            requireSize(tag, what, d.size(), MAX_MANIFEST_BYTES);
            if (Manifests.isAttestation(d)) {
                attestations.add(d);
            } else {
                images.add(d);
            }
        }
        if (images.size() != 1) {
            throw new InvalidArchImageException(tag + " holds " + images.size() + " image manifests; expected one, of "
                    + arch.platform());
        }
        Descriptor image = images.get(0);
        Descriptor.Platform platform = image.platform();
        if (platform == null || !"linux".equals(platform.os()) || !arch.id().equals(platform.architecture())) {
            throw new InvalidArchImageException(tag + ": its image " + image.digest() + " is for " + describe(platform)
                    + ", not " + arch.platform());
        }
        Descriptor imageEntry = new Descriptor(image.mediaType(), image.digest(), image.size(),
                new Descriptor.Platform(arch.id(), "linux", platform.variant()), null);
        if (attestations.isEmpty()) {
            return new ArchImage(imageEntry, null);
        }
        if (attestations.size() > 1) {
            throw new InvalidArchImageException(tag + " holds " + attestations.size() + " attestation manifests; expected one");
        }
        Descriptor attestation = attestations.get(0);
        String attested = Manifests.attestedDigest(attestation).orElse(null);
        if (!image.digest().equals(attested)) {
            throw new InvalidArchImageException(tag + ": attestation " + attestation.digest() + " attests " + attested
                    + ", not its image " + image.digest());
        }
        Descriptor.Platform unknown = attestation.platform();
        if (unknown == null || !UNKNOWN.equals(unknown.os()) || !UNKNOWN.equals(unknown.architecture())) {
            throw new InvalidArchImageException(tag + ": attestation " + attestation.digest() + " is for "
                    + describe(unknown) + ", not unknown/unknown");
        }
        return new ArchImage(imageEntry, new Descriptor(attestation.mediaType(), attestation.digest(), attestation.size(),
                new Descriptor.Platform(UNKNOWN, UNKNOWN, null),
                Map.of(Manifests.REFERENCE_TYPE_ANNOTATION, Manifests.ATTESTATION_MANIFEST,
                        Manifests.REFERENCE_DIGEST_ANNOTATION, image.digest())));
    }

    private static void requireDigest(ImageRef tag, String what, String digest) {
        try {
            OciNames.requireDigest(digest);
        } catch (InvalidReferenceException e) {
            throw new InvalidArchImageException(tag + ": " + what + ": " + e.getMessage());
        }
    }

    private static void requireSize(ImageRef tag, String what, long size, long max) {
        if (size <= 0 || size > max) {
            throw new InvalidArchImageException(tag + ": " + what + " is " + size + " bytes; expected 1 to " + max);
        }
    }

    private static String describe(Descriptor.Platform p) {
        return p == null ? "no platform" : p.os() + "/" + p.architecture() + (p.variant() != null ? "/" + p.variant() : "");
    }
}
