package io.imagefarm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {

    static final String DIGEST = "sha256:" + "a".repeat(64);

    static Map<String, String> inOrder(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static Manifest indexWith(Map<String, String> entryAnnotations, Map<String, String> indexAnnotations) {
        return Manifest.index(List.of(new Descriptor(MediaTypes.OCI_MANIFEST, DIGEST, 566,
                new Descriptor.Platform("unknown", "unknown", null), entryAnnotations)), indexAnnotations);
    }

    @Test
    void theSameContentGivesTheSameBytesWhateverOrderItsAnnotationsWereInserted() {
        // Two replicas build these maps in different orders (Map.of's order differs per JVM): one digest still.
        Manifest one = indexWith(inOrder("vnd.docker.reference.type", "attestation-manifest",
                "vnd.docker.reference.digest", DIGEST), inOrder("b", "2", "a", "1"));
        Manifest other = indexWith(inOrder("vnd.docker.reference.digest", DIGEST,
                "vnd.docker.reference.type", "attestation-manifest"), inOrder("a", "1", "b", "2"));

        assertThat(one.toJson()).isEqualTo(other.toJson());
        assertThat(new String(one.toJson(), StandardCharsets.UTF_8))
                .contains("{\"vnd.docker.reference.digest\":\"" + DIGEST + "\",\"vnd.docker.reference.type\"")
                .endsWith("\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}");
    }

    @Test
    void onlyTheOciFieldsAreWrittenNotDerivedOnes() {
        String json = new String(indexWith(null, null).toJson(), StandardCharsets.UTF_8);

        assertThat(json).doesNotContain("\"index\"").doesNotContain("children").doesNotContain("null");
    }
}
