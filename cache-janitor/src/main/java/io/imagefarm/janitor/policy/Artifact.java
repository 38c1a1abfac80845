package io.imagefarm.janitor.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One manifest or index in a repository, as a backend found it.
 *
 * @param digest    the content digest; on OCI registries deletion is by digest and removes every tag on it
 * @param versionId the GitHub Packages version id (ghcr.io); null on plain OCI registries
 * @param tags      every tag on this digest, managed or not; empty for untagged manifests
 * @param index     an image index (or manifest list)
 * @param children  digests of the manifests an index points at (not blobs); empty for a manifest
 * @param pushedAt  push time: config {@code created} on OCI, {@code created_at} on ghcr.io; null if unknown
 * @param blobs     the blobs it references (config, layers, cache blobs) with their sizes
 * @param attests   for an attestation manifest (buildx provenance), the digest of the image it attests, as an
 *                  index entry's {@code vnd.docker.reference.digest} says; null for anything else
 */
public record Artifact(String digest, String versionId, Set<String> tags, boolean index, List<String> children,
                      Instant pushedAt, Map<String, Long> blobs, String attests) {

    public Artifact {
        tags = Set.copyOf(tags);
        children = List.copyOf(children);
        blobs = Map.copyOf(blobs);
    }

    /** An artifact that attests nothing. */
    public Artifact(String digest, String versionId, Set<String> tags, boolean index, List<String> children,
                    Instant pushedAt, Map<String, Long> blobs) {
        this(digest, versionId, tags, index, children, pushedAt, blobs, null);
    }

    public boolean untagged() {
        return tags.isEmpty();
    }
}
