package io.imagefarm.janitor.policy;

import java.util.List;

/**
 * One delete operation of a plan: a manifest by digest (OCI), or a package version by id (ghcr.io).
 * Either way every tag on it goes, which is why all of {@link #tags} must be planned for deletion.
 *
 * @param after digests of this plan's earlier deletions that must be gone before this one runs: the indexes
 *              that point at it, the attestation manifests of an image, the image a signature signs. If one of
 *              them could not be deleted, this one is not attempted, so an index never loses a child, an image
 *              its attestation or signature, while it stays
 */
public record Deletion(String digest, String versionId, List<String> tags, boolean index, Reason reason,
                       List<String> after) {

    public Deletion {
        tags = List.copyOf(tags);
        after = List.copyOf(after);
    }

    /** A deletion that waits for no other. */
    public Deletion(String digest, String versionId, List<String> tags, boolean index, Reason reason) {
        this(digest, versionId, tags, index, reason, List.of());
    }

    public String label() {
        return (tags.isEmpty() ? "<untagged>" : String.join(",", tags)) + "@" + digest;
    }
}
