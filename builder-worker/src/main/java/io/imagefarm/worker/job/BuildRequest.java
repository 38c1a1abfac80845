package io.imagefarm.worker.job;

import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One build, as data (docker-java's command-as-data shape): what to build, for which platform,
 * where to push it and its registry cache.
 *
 * @param labels       OCI labels of the image config
 * @param annotations  OCI annotations of the image manifest and of the per-arch index over it and its
 *                     provenance
 * @param builderId    the SLSA provenance's {@code builder.id}: names the worker that built the image
 * @param dockerConfig a per-build {@code DOCKER_CONFIG} directory holding the registry credentials
 * @param hostNetwork  {@code --network host} for RUN steps (hosts whose engine has no bridge)
 */
public record BuildRequest(ImageRef image, ImageRef cache, Arch arch, Path contextDir, Path dockerfile,
                           Map<String, String> labels, Map<String, String> annotations, URI builderId,
                           boolean hostNetwork, Duration timeout, Path dockerConfig) {

    public BuildRequest {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(contextDir, "contextDir");
        Objects.requireNonNull(dockerfile, "dockerfile");
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        Objects.requireNonNull(builderId, "builderId");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(dockerConfig, "dockerConfig");
    }
}
