package io.imagefarm.testsupport;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * No public image can be pulled here, so test Dockerfiles start FROM a multi-arch base built
 * locally: {@code FROM scratch} plus the static busybox of each arch, pushed as one index.
 */
public final class BaseImages {

    public static final String BASE_REPOSITORY = "imagefarm/base";
    public static final String BASE_TAG = "busybox";

    private BaseImages() {
    }

    /** Builds and pushes {@code <registry>/imagefarm/base:busybox} for linux/amd64 and linux/arm64. */
    public static ImageRef pushBusyboxBase(LocalRegistry registry) {
        BuildHost.requireArm64Emulation();
        ImageRef ref = ImageRef.ofTag(registry.host(), BASE_REPOSITORY, BASE_TAG);
        Path context = null;
        try {
            context = Files.createTempDirectory("imagefarm-base-");
            for (String arch : List.of("amd64", "arm64")) {
                Path dir = Files.createDirectories(context.resolve(arch));
                Files.copy(BuildHost.requireBusybox(arch), dir.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(context.resolve("Dockerfile"), """
                    FROM scratch
                    ARG TARGETARCH
                    COPY ${TARGETARCH}/busybox /bin/busybox
                    RUN ["/bin/busybox", "--install", "-s", "/bin"]
                    ENV PATH=/bin
                    """);
            Processes.run(Duration.ofMinutes(5), context, java.util.Map.of(), List.of(
                    "docker", "buildx", "build",
                    "--network", "host",
                    "--provenance=false",
                    "--platform", "linux/amd64,linux/arm64",
                    "--tag", ref.toString(),
                    "--push",
                    ".")).orThrow();
            return ref;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the base image context", e);
        } finally {
            if (context != null) {
                FileTrees.delete(context);
            }
        }
    }
}
