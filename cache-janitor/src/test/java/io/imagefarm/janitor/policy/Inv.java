package io.imagefarm.janitor.policy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test builder for inventories: manifests, indexes, untagged versions, with one unique blob each. */
final class Inv {

    private record Entry(String digest, String versionId, Set<String> tags, boolean index, List<String> children,
                         Instant pushedAt, Map<String, Long> blobs, String[] attests) {
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

    /** An attestation manifest of {@code image}, as buildx pushes it: no push time of its own. */
    Inv attestation(String digest, String image, String... tags) {
        put(digest, false, List.of(), null, Map.of("blob-" + digest, 50L), tags);
        entries.get(digest).attests()[0] = image;
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
                pushed, new HashMap<>(blobs), new String[1]));
        return this;
    }

    Inventory oci() {
        return build(false);
    }

    Inventory ghcr() {
        return build(true);
    }

    private Inventory build(boolean ghcr) {
        return new Inventory("registry.test/acme/widget", entries.values().stream()
                .map(e -> new Artifact(e.digest(), ghcr ? e.versionId() : null, e.tags(), e.index(), e.children(), e.pushedAt(), e.blobs(),
                        e.attests()[0]))
                .toList(), ghcr);
    }
}
