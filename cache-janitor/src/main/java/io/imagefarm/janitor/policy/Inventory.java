package io.imagefarm.janitor.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a backend found in one repository.
 *
 * @param image          {@code registry/repository}
 * @param artifacts      one per digest: every tagged one, and the untagged ones the backend can see
 * @param listsUntagged  true where the backend lists untagged manifests as such (ghcr.io versions); an
 *                       OCI registry only shows untagged manifests as children of indexes
 * @param unlistedSigned digests that a signature tag names and no listed tag reaches, but that the registry
 *                       has (OCI: a HEAD by digest answered): an image pushed after the tag listing passed it,
 *                       such as a brand-new index, or one pinned by digest only. Its signature is no orphan
 */
public record Inventory(String image, List<Artifact> artifacts, boolean listsUntagged, Set<String> unlistedSigned) {

    public Inventory {
        artifacts = List.copyOf(artifacts);
        unlistedSigned = Set.copyOf(unlistedSigned);
    }

    /** An inventory in which every signed digest is listed or gone. */
    public Inventory(String image, List<Artifact> artifacts, boolean listsUntagged) {
        this(image, artifacts, listsUntagged, Set.of());
    }

    public Map<String, Artifact> byDigest() {
        return artifacts.stream().collect(Collectors.toMap(Artifact::digest, Function.identity(), (a, b) -> a));
    }

    public int tagCount() {
        return artifacts.stream().mapToInt(a -> a.tags().size()).sum();
    }
}
