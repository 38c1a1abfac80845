package io.imagefarm.core.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
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
        Instant requestedAt) {

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
    }
}
