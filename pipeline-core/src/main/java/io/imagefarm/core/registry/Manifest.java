package io.imagefarm.core.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * An image manifest or an index, as JSON. {@link #config} and {@link #layers} are set for a
 * manifest, {@link #manifests} for an index.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers,
                       List<Descriptor> manifests, Map<String, String> annotations) {

    /**
     * Annotations are written sorted by key: the same content must give the same bytes, and so the same
     * digest, in every JVM (a {@code Map.of}'s iteration order differs from one JVM to the next, so two
     * hasher replicas assembling one index pushed two digests, and each took the other's for a moved tag).
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** Parses a manifest body; the Content-Type header wins over a missing {@code mediaType} field. */
    public static Manifest parse(byte[] body, String contentType) {
        try {
            Manifest m = JSON.readValue(body, Manifest.class);
            String type = m.mediaType() != null ? m.mediaType() : contentType;
            return new Manifest(m.schemaVersion(), type, m.config(), m.layers(), m.manifests(), m.annotations());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a manifest: " + e.getMessage(), e);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @JsonIgnore // derived, not a field of the OCI format
    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType) || (manifests != null && config == null);
    }

    public List<Descriptor> children() {
        return manifests == null ? List.of() : manifests;
    }

    /** An OCI index over per-platform manifests. */
    public static Manifest index(List<Descriptor> children, Map<String, String> annotations) {
        return new Manifest(2, MediaTypes.OCI_INDEX, null, null, List.copyOf(children), annotations);
    }
}
