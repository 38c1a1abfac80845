package io.imagefarm.worker.testing;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionInputs;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.SourceRepository;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** ImageRequired events as the hasher writes them, for a repository under {@code acme/} on a test registry. */
public final class TestEvents {

    public static final String DOCKERFILE = ".devcontainer/Dockerfile";

    private TestEvents() {
    }

    public static String randomHash() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static ImageRequired imageRequired(String registry, String repoName, SourceRepo source, String commit,
                                              Arch arch, String hash) {
        ImageCoordinates coords = ImageCoordinates.of(registry, SourceRepository.parse("acme/" + repoName), new VersionHash(hash));
        return new ImageRequired(ImageRequired.SCHEMA_VERSION, UUID.randomUUID().toString(), "acme/" + repoName, commit,
                source.url(), hash, new VersionInputs("1.80", "20.11.0", "9.1.0", "3.12", "0.4.0", hash),
                coords.image(arch).toString(), coords.cache(arch).toString(), arch.platform(), DOCKERFILE, ".",
                Instant.now());
    }
}
