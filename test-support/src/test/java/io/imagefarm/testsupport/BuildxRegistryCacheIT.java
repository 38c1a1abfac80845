package io.imagefarm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.image.ImageRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build host end to end: buildx builds for linux/amd64 and linux/arm64 (QEMU) from the local
 * busybox base, exports a per-arch registry cache, and a rebuild on an emptied local build cache
 * imports it.
 */
class BuildxRegistryCacheIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static ImageRef base;

    @TempDir
    Path context;

    @BeforeAll
    static void startRegistryAndPushBase() {
        BuildHost.requireArm64Emulation();
        registry = LocalRegistry.start();
        base = BaseImages.pushBusyboxBase(registry);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private Processes.Result build(String arch, String nonce) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), """
                FROM %s
                RUN echo %s > /nonce
                RUN uname -m > /arch
                """.formatted(base, nonce));
        String cache = registry.host() + "/smoke/builder:buildcache-" + arch;
        return Processes.run(Duration.ofMinutes(5), context, Map.of(), List.of(
                "docker", "buildx", "build", "--progress=plain", "--network", "host", "--provenance=false",
                "--platform", "linux/" + arch,
                "--cache-from", "type=registry,ref=" + cache,
                "--cache-to", "type=registry,ref=" + cache + ",mode=max,image-manifest=true",
                "--tag", registry.host() + "/smoke/builder:" + nonce + "-" + arch,
                "--push", ".")).orThrow();
    }

    private String pushedArchitecture(String tag) throws Exception {
        RegistrySeeder api = new RegistrySeeder(registry);
        JsonNode manifest = JSON.readTree(api.get("/v2/smoke/builder/manifests/" + tag).body());
        assertThat(manifest.path("mediaType").asText()).as("single-platform manifest, not an index").isIn(RegistrySeeder.OCI_MANIFEST, RegistrySeeder.DOCKER_MANIFEST);
        String configDigest = manifest.path("config").path("digest").asText();
        return JSON.readTree(api.get("/v2/smoke/builder/blobs/" + configDigest).body()).path("architecture").asText();
    }

    private static int cachedRunSteps(String output) {
        Matcher m = Pattern.compile("(?m)^#(\\d+) \\[\\d+/\\d+\\] RUN .*\\R#\\1 CACHED").matcher(output);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void amd64AndArm64BuildsPushSinglePlatformImagesOfTheirArchitecture() throws Exception {
        String nonce = "n" + UUID.randomUUID().toString().substring(0, 8);
        build("amd64", nonce);
        build("arm64", nonce);

        assertThat(pushedArchitecture(nonce + "-amd64")).isEqualTo("amd64");
        assertThat(pushedArchitecture(nonce + "-arm64")).isEqualTo("arm64");
        assertThat(new RegistrySeeder(registry).get("/v2/smoke/builder/tags/list").body())
                .contains("buildcache-amd64", "buildcache-arm64");
    }

    @Test
    void rebuildOnEmptiedLocalBuildCacheTakesRunStepsFromTheRegistryCache() throws Exception {
        String nonce = "c" + UUID.randomUUID().toString().substring(0, 8);
        Processes.Result first = build("arm64", nonce);
        assertThat(cachedRunSteps(first.output())).as("first build runs its steps").isZero();

        Processes.run(Duration.ofMinutes(2), List.of("docker", "buildx", "prune", "-af")).orThrow();

        Processes.Result second = build("arm64", nonce);
        assertThat(second.output()).contains("importing cache manifest from " + registry.host() + "/smoke/builder:buildcache-arm64");
        assertThat(cachedRunSteps(second.output())).as(second.output()).isEqualTo(2);
    }
}
