package io.imagefarm.janitor.policy;

import java.util.List;

/**
 * One delete operation of a plan: a manifest by digest (OCI), or a package version by id (ghcr.io).
 * Either way every tag on it goes, which is why all of {@link #tags} must be planned for deletion.
 */
public record Deletion(String digest, String versionId, List<String> tags, boolean index, Reason reason) {

    public Deletion {
        tags = List.copyOf(tags);
    }

    public String label() {
        return (tags.isEmpty() ? "<untagged>" : String.join(",", tags)) + "@" + digest;
    }
}
