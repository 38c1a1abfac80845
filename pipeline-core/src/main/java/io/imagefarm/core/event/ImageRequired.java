package io.imagefarm.core.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.imagefarm.core.hash.VersionInputs;
import java.time.Instant;
import java.util.Objects;

/**
 * "Build this image": one per missing arch, on {@link Topics#imageRequired}, keyed by {@link #image}.
 * Carries the hash inputs, so a worker and a human can see why the image exists.
 *
 * @param sourceUrl where the worker fetches the repository at {@link #commit} (a git remote)
 * @param dockerfile path of the Dockerfile inside the context
 * @param context    build context directory, relative to the repository root
 * @param replaces   null, or the digest the image's tag points at that the pipeline does not stand behind
 *                   (it was pushed over: TAG_MOVED, then an admin's retry): build and push over it, where
 *                   an existing tag would otherwise count as EXISTS
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageRequired(
        int schemaVersion,
        String eventId,
        String repository,
        String commit,
        String sourceUrl,
        String versionHash,
        VersionInputs inputs,
        String image,
        String cache,
        String platform,
        String dockerfile,
        String context,
        Instant requestedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String replaces) {

    public static final int SCHEMA_VERSION = 1;

    public ImageRequired {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(versionHash, "versionHash");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(requestedAt, "requestedAt");
        if (replaces != null && !replaces.matches("sha256:[0-9a-f]{64}")) {
            throw new IllegalArgumentException("replaces must be a sha256 digest, not '"
                    + (replaces.length() > 80 ? replaces.substring(0, 80) + "…" : replaces) + "'");
        }
    }

    /** A request that builds only when the image is missing (every request but a rebuild over a moved tag). */
    public ImageRequired(int schemaVersion, String eventId, String repository, String commit, String sourceUrl,
                         String versionHash, VersionInputs inputs, String image, String cache, String platform,
                         String dockerfile, String context, Instant requestedAt) {
        this(schemaVersion, eventId, repository, commit, sourceUrl, versionHash, inputs, image, cache, platform, dockerfile,
                context, requestedAt, null);
    }
}
