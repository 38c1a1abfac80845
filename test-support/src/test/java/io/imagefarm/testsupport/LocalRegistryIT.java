package io.imagefarm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LocalRegistryIT {

    private static String pushSmallImage(RegistryHttp api, String repo, String tag) throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = api.pushBlob(repo, config);
        String manifest = """
                {"schemaVersion":2,"mediaType":"%s",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},
                 "layers":[]}""".formatted(RegistryHttp.OCI_MANIFEST, configDigest, config.length);
        HttpResponse<String> put = api.putManifest(repo, tag, RegistryHttp.OCI_MANIFEST, manifest);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return put.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    @Test
    void pushedManifestIsListedByTagAndGoneAfterDeleteByDigest() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start()) {
            RegistryHttp api = new RegistryHttp(registry);
            String digest = pushSmallImage(api, "smoke/app", "v1");

            assertThat(api.get("/v2/smoke/app/tags/list").body()).contains("\"v1\"");
            assertThat(api.head("/v2/smoke/app/manifests/v1").headers().firstValue("Docker-Content-Digest")).hasValue(digest);

            assertThat(api.delete("/v2/smoke/app/manifests/" + digest).statusCode()).isEqualTo(202);
            assertThat(api.head("/v2/smoke/app/manifests/v1").statusCode()).isEqualTo(404);
            assertThat(api.get("/v2/smoke/app/tags/list").body()).doesNotContain("\"v1\"");
        }
    }

    @Test
    void registryWithDeletionDisabledRefusesDeleteWith405Unsupported() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(false)) {
            RegistryHttp api = new RegistryHttp(registry);
            String digest = pushSmallImage(api, "smoke/app", "v1");

            HttpResponse<String> delete = api.delete("/v2/smoke/app/manifests/" + digest);
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.body()).contains("UNSUPPORTED");
            assertThat(api.head("/v2/smoke/app/manifests/v1").statusCode()).isEqualTo(200);
        }
    }
}
