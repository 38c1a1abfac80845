package io.imagefarm.janitor.policy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a backend found in one repository.
 *
 * @param image          {@code registry/repository}
 * @param artifacts      one per digest: every tagged one, and the untagged ones the backend can see
 * @param listsUntagged  true where the backend lists untagged manifests as such (ghcr.io versions); an
 *                       OCI registry only shows untagged manifests as children of indexes
 */
public record Inventory(String image, List<Artifact> artifacts, boolean listsUntagged) {

    public Inventory {
        artifacts = List.copyOf(artifacts);
    }

    public Map<String, Artifact> byDigest() {
        return artifacts.stream().collect(Collectors.toMap(Artifact::digest, Function.identity(), (a, b) -> a));
    }

    public int tagCount() {
        return artifacts.stream().mapToInt(a -> a.tags().size()).sum();
    }
}
