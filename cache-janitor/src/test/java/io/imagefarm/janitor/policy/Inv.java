package io.imagefarm.janitor.policy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test builder for inventories: manifests, indexes, untagged versions, attestation manifests and cosign
 * signature manifests, with one unique blob each.
 */
final class Inv {

    private record Entry(String digest, String versionId, Set<String> tags, boolean index, List<String> children,
                         Instant pushedAt, Map<String, Long> blobs, String attests) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int versions;

    static String hash(int n) {
        return String.format("%016x", n);
    }

    static String digest(String seed) {
        return "sha256:" + String.format("%064x", new java.math.BigInteger(1, seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .substring(0, 64);
    }

    Inv manifest(String digest, Instant pushed, String... tags) {
        return put(digest, false, List.of(), pushed, Map.of("blob-" + digest, 100L), tags);
    }

    Inv manifestWithBlobs(String digest, Instant pushed, Map<String, Long> blobs, String... tags) {
        return put(digest, false, List.of(), pushed, blobs, tags);
    }

    Inv index(String digest, Instant pushed, List<String> children, String... tags) {
        return put(digest, true, children, pushed, Map.of(), tags);
    }

    /** buildx's attestation manifest of {@code image}: no push time of its own, untagged unless tags are given. */
    Inv attestation(String digest, String image, String... tags) {
        put(digest, false, List.of(), null, Map.of("blob-" + digest, 10L), tags);
        Entry e = entries.get(digest);
        entries.put(digest, new Entry(e.digest(), e.versionId(), e.tags(), false, e.children(), null, e.blobs(), image));
        return this;
    }

    /**
     * What a worker with provenance pushes for one arch: the image and its attestation, untagged, and under
     * {@code tag} a per-arch index of the two. Digests are {@code digest(name)}, {@code digest(name + "-att")}
     * and {@code digest(name + "-idx")}.
     */
    Inv provenance(String name, Instant pushed, String tag) {
        manifest(digest(name), pushed);
        attestation(digest(name + "-att"), digest(name));
        return index(digest(name + "-idx"), null, List.of(digest(name), digest(name + "-att")), tag);
    }

    /**
     * cosign's signature manifest of {@code image}, tagged {@code sha256-<hex>.sig}; {@code pushed} is cosign's
     * zero timestamp on OCI, the version's {@code created_at} on ghcr.io.
     */
    Inv signature(String image, Instant pushed, String... moreTags) {
        String digest = signatureDigest(image);
        put(digest, false, List.of(), pushed, Map.of("payload-" + image, 300L), ManagedTag.signatureTag(image));
        entries.get(digest).tags().addAll(List.of(moreTags));
        return this;
    }

    /** The signature manifest's digest: unique per image, as cosign's payload names the image. */
    static String signatureDigest(String image) {
        return sha256("cosign signature of " + image);
    }

    static String sha256(String text) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Inv tag(String digest, String tag) {
        entries.get(digest).tags().add(tag);
        return this;
    }

    private Inv put(String digest, boolean index, List<String> children, Instant pushed, Map<String, Long> blobs, String... tags) {
        Entry existing = entries.get(digest);
        if (existing != null) {
            existing.tags().addAll(List.of(tags));
            return this;
        }
        entries.put(digest, new Entry(digest, Integer.toString(++versions), new LinkedHashSet<>(List.of(tags)), index, children,
                pushed, new HashMap<>(blobs), null));
        return this;
    }

    Inventory oci() {
        return build(false);
    }

    /** As {@link #oci()}, with {@code unlistedSigned} found by HEAD though no listed tag reaches them. */
    Inventory oci(Set<String> unlistedSigned) {
        Inventory listed = build(false);
        return new Inventory(listed.image(), listed.artifacts(), false, unlistedSigned);
    }

    Inventory ghcr() {
        return build(true);
    }

    private Inventory build(boolean ghcr) {
        return new Inventory("registry.test/acme/widget", entries.values().stream()
                .map(e -> new Artifact(e.digest(), ghcr ? e.versionId() : null, e.tags(), e.index(), e.children(), e.pushedAt(),
                        e.blobs(), e.attests()))
                .toList(), ghcr);
    }
}
