package io.imagefarm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LocalRegistryIT {

    private static String pushSmallImage(RegistrySeeder api, String repo, String tag) throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = api.pushBlob(repo, config);
        String manifest = """
                {"schemaVersion":2,"mediaType":"%s",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},
                 "layers":[]}""".formatted(RegistrySeeder.OCI_MANIFEST, configDigest, config.length);
        return api.putManifest(repo, tag, RegistrySeeder.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8), "amd64").digest();
    }

    @Test
    void pushedManifestIsListedByTagAndGoneAfterDeleteByDigest() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start()) {
            RegistrySeeder api = new RegistrySeeder(registry);
            String digest = pushSmallImage(api, "smoke/app", "v1");

            assertThat(api.get("/v2/smoke/app/tags/list").body()).contains("\"v1\"");
            assertThat(api.head("/v2/smoke/app/manifests/v1").headers().firstValue("Docker-Content-Digest")).hasValue(digest);

            assertThat(api.delete("/v2/smoke/app/manifests/" + digest).statusCode()).isEqualTo(202);
            assertThat(api.headStatus("/v2/smoke/app/manifests/v1")).isEqualTo(404);
            assertThat(api.get("/v2/smoke/app/tags/list").body()).doesNotContain("\"v1\"");
        }
    }

    @Test
    void registryWithDeletionDisabledRefusesDeleteWith405Unsupported() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(false)) {
            RegistrySeeder api = new RegistrySeeder(registry);
            String digest = pushSmallImage(api, "smoke/app", "v1");

            HttpResponse<String> delete = api.delete("/v2/smoke/app/manifests/" + digest);
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.body()).contains("UNSUPPORTED");
            assertThat(api.headStatus("/v2/smoke/app/manifests/v1")).isEqualTo(200);
        }
    }
}
