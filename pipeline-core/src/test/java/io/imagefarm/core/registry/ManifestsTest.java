package io.imagefarm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestsTest {

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    static Descriptor descriptor(String mediaType, char c, long size) {
        return new Descriptor(mediaType, digest(c), size, null, null);
    }

    static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    @Test
    void anImagesBlobsAreItsConfigAndLayersAndItHasNoChildren() {
        Manifest image = new Manifest(2, MediaTypes.OCI_MANIFEST, descriptor(MediaTypes.OCI_CONFIG, 'c', 10),
                List.of(descriptor(LAYER, '1', 100), descriptor(LAYER, '2', 200)), null, null);

        assertThat(Manifests.childManifests(image)).isEmpty();
        assertThat(Manifests.blobs(image)).containsExactly(Map.entry(digest('c'), 10L), Map.entry(digest('1'), 100L),
                Map.entry(digest('2'), 200L));
    }

    @Test
    void anIndexsChildrenAreItsManifestsAndUntypedEntriesWhileOtherEntriesAreBlobs() {
        Manifest index = Manifest.index(List.of(descriptor(MediaTypes.OCI_MANIFEST, 'a', 500),
                descriptor(MediaTypes.DOCKER_MANIFEST, 'b', 501), descriptor(MediaTypes.OCI_INDEX, 'i', 502),
                descriptor(null, 'u', 503), descriptor(LAYER, 'l', 9000)), null);

        assertThat(Manifests.childManifests(index)).extracting(Descriptor::digest)
                .containsExactly(digest('a'), digest('b'), digest('i'), digest('u'));
        assertThat(Manifests.blobs(index)).containsExactly(Map.entry(digest('l'), 9000L));
    }

    @Test
    void aBuildxCacheIndexListsOnlyBlobs() {
        Manifest cache = Manifest.parse(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + LAYER + "\",\"digest\":\"" + digest('1') + "\",\"size\":7},"
                + "{\"mediaType\":\"application/vnd.buildkit.cacheconfig.v0\",\"digest\":\"" + digest('2') + "\",\"size\":3}]}")
                .getBytes(StandardCharsets.UTF_8), null);

        assertThat(Manifests.childManifests(cache)).isEmpty();
        assertThat(Manifests.blobs(cache)).containsOnlyKeys(digest('1'), digest('2'));
    }

    @Test
    void anIndexIsDatedByItsCreatedAnnotation() {
        Manifest dated = Manifest.index(List.of(), Map.of(Manifests.CREATED_ANNOTATION, "2026-01-02T03:04:05Z"));
        Manifest undated = Manifest.index(List.of(), null);
        Manifest garbled = Manifest.index(List.of(), Map.of(Manifests.CREATED_ANNOTATION, "yesterday"));

        assertThat(Manifests.annotatedCreated(dated)).contains(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(Manifests.annotatedCreated(undated)).isEmpty();
        assertThat(Manifests.annotatedCreated(garbled)).isEmpty();
    }

    @Test
    void aConfigIsDatedByItsCreatedFieldWhenItHasOne() {
        assertThat(Manifests.configCreated("{\"created\":\"2026-01-02T03:04:05.123456789+02:00\",\"architecture\":\"amd64\"}"
                .getBytes(StandardCharsets.UTF_8))).contains(Instant.parse("2026-01-02T01:04:05.123456789Z"));
        assertThat(Manifests.configCreated("{\"architecture\":\"amd64\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Manifests.configCreated("{\"created\":42}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Manifests.configCreated("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void timesAreRfc3339AndAnythingElseIsUnknown() {
        assertThat(Manifests.parseTime("2026-01-02T03:04:05Z")).contains(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(Manifests.parseTime(null)).isEmpty();
        assertThat(Manifests.parseTime(" ")).isEmpty();
        assertThat(Manifests.parseTime("2026-01-02")).isEmpty();
    }

    @Test
    void anAttestationEntryIsKnownByItsReferenceTypeAndNamesTheImageItAttests() {
        Descriptor image = new Descriptor(MediaTypes.OCI_MANIFEST, digest('a'), 700, new Descriptor.Platform("amd64", "linux", null), null);
        Descriptor attestation = new Descriptor(MediaTypes.OCI_MANIFEST, digest('b'), 566,
                new Descriptor.Platform("unknown", "unknown", null),
                Map.of(Manifests.REFERENCE_TYPE_ANNOTATION, Manifests.ATTESTATION_MANIFEST,
                        Manifests.REFERENCE_DIGEST_ANNOTATION, digest('a')));
        Descriptor otherReference = new Descriptor(MediaTypes.OCI_MANIFEST, digest('c'), 10, null,
                Map.of(Manifests.REFERENCE_TYPE_ANNOTATION, "something-else", Manifests.REFERENCE_DIGEST_ANNOTATION, digest('a')));
        Manifest index = Manifest.index(List.of(image, attestation, otherReference), null);

        assertThat(Manifests.isAttestation(attestation)).isTrue();
        assertThat(Manifests.isAttestation(image)).isFalse();
        assertThat(Manifests.attestedDigest(attestation)).contains(digest('a'));
        assertThat(Manifests.attestedDigest(otherReference)).isEmpty();
        assertThat(Manifests.attestations(index)).containsExactly(Map.entry(digest('b'), digest('a')));
        assertThat(Manifests.childManifests(index)).hasSize(3);
    }
}
