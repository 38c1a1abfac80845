package io.imagefarm.worker.buildx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.worker.job.BuildRequest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildxBuilderTest {

    private final BuildxBuilder builder = new BuildxBuilder("docker", Map.of(), 40);

    private BuildRequest request(boolean hostNetwork) {
        return new BuildRequest(ImageRef.parse("ghcr.io/acme/widget:builder-5ea78654994769b1-arm64"),
                ImageRef.parse("ghcr.io/acme/widget:buildcache-arm64"), Arch.ARM64, Path.of("/w/context"),
                Path.of("/w/context/.devcontainer/Dockerfile"),
                Map.of("org.opencontainers.image.revision", "abc"),
                Map.of("org.opencontainers.image.source", "https://github.com/acme/widget.git",
                        "io.imagefarm.version-hash", "5ea78654994769b1"),
                URI.create("urn:imagefarm:builder-worker:arm64:w1"), hostNetwork, Duration.ofMinutes(5), Path.of("/w/cfg"));
    }

    @Test
    void commandCarriesTheSeedsExactFlags() {
        String cmd = String.join(" ", builder.command(request(false), Path.of("/w/cfg/meta.json")));
        assertThat(cmd).startsWith("docker buildx build ")
                .contains("--platform linux/arm64")
                .contains("--cache-from type=registry,ref=ghcr.io/acme/widget:buildcache-arm64")
                .contains("--cache-to type=registry,ref=ghcr.io/acme/widget:buildcache-arm64,mode=max,image-manifest=true")
                .contains("--push")
                .contains("--provenance=mode=max,builder-id=urn:imagefarm:builder-worker:arm64:w1")
                .contains("-f /w/context/.devcontainer/Dockerfile")
                .contains("--tag ghcr.io/acme/widget:builder-5ea78654994769b1-arm64")
                .contains("--label=org.opencontainers.image.revision=abc")
                .endsWith(" /w/context")
                .doesNotContain("--network");
    }

    @Test
    void everyLabelAndAnnotationIsOneArgumentAndAnnotationsGoOnTheIndexAndTheManifest() {
        List<String> cmd = builder.command(request(false), Path.of("/w/cfg/meta.json"));
        assertThat(cmd).contains("--label=org.opencontainers.image.revision=abc",
                        "--annotation=index:org.opencontainers.image.source=https://github.com/acme/widget.git",
                        "--annotation=manifest:org.opencontainers.image.source=https://github.com/acme/widget.git",
                        "--annotation=index:io.imagefarm.version-hash=5ea78654994769b1",
                        "--annotation=manifest:io.imagefarm.version-hash=5ea78654994769b1")
                .doesNotContain("--provenance=false", "--label", "--annotation");
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("/w/context");
    }

    @Test
    void hostNetworkOnlyWhenConfigured() {
        List<String> cmd = builder.command(request(true), Path.of("/w/cfg/meta.json"));
        assertThat(String.join(" ", cmd)).contains("--network host");
    }

    @Test
    void readsThePlatformsTheBuilderSupports() {
        String inspect = """
                Name:          default
                Driver:        docker
                Nodes:
                Name:             default
                Status:           running
                Platforms:        linux/amd64, linux/amd64/v2, linux/arm64*, linux/386
                """;
        assertThat(BuildxBuilder.parsePlatforms(inspect)).containsExactly("linux/amd64", "linux/amd64/v2", "linux/arm64", "linux/386");
    }
}
