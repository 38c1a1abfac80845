package io.imagefarm.core.signature;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.image.OciNames;
import java.io.IOException;
import java.util.Objects;

/**
 * cosign's "simple signing" payload (sigstore SIGNATURE_SPEC, after containers/image's signature format):
 *
 * <pre>{"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},
 *   "type":"cosign container image signature"},"optional":{"repository":..,"commit":..,"versionHash":..}}</pre>
 *
 * {@link #toJson()} is deterministic (fixed key order, no whitespace): the same image and claims give the
 * same bytes, so two signers of one digest push the same payload blob.
 *
 * @param dockerReference the image's repository, {@code registry/path} (the spec says verifiers ignore it)
 * @param manifestDigest  the digest signed: what a verifier must find equal to the digest it verifies
 * @param repository      {@code optional.repository}, or null
 * @param commit          {@code optional.commit}, or null
 * @param versionHash     {@code optional.versionHash}, or null
 */
public record SimpleSigningPayload(String dockerReference, String manifestDigest, String repository, String commit,
                                   String versionHash) {

    /** Bounded, and a key given twice is refused: two readers of one document must not see different digests. */
    static final ObjectReader STRICT = EventCodec.untrusted().reader()
            .withFeatures(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public SimpleSigningPayload {
        Objects.requireNonNull(dockerReference, "dockerReference");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
    }

    public static SimpleSigningPayload of(String dockerReference, String manifestDigest, SignatureClaims claims) {
        OciNames.requireDigest(manifestDigest);
        return new SimpleSigningPayload(dockerReference, manifestDigest, claims.repository(), claims.commit(),
                claims.versionHash());
    }

    /** The payload's bytes, as signed and pushed. */
    public byte[] toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", dockerReference);
        critical.putObject("image").put("docker-manifest-digest", manifestDigest);
        critical.put("type", SignatureFormat.COSIGN_TYPE);
        ObjectNode optional = root.putObject("optional");
        putIfSet(optional, "repository", repository);
        putIfSet(optional, "commit", commit);
        putIfSet(optional, "versionHash", versionHash);
        try {
            return EventCodec.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a simple-signing payload", e);
        }
    }

    /**
     * Reads a payload a registry served (untrusted: bounded by {@link EventCodec#untrusted()}). The
     * {@code critical} section must be complete and name the cosign type; {@code optional} may be absent
     * or hold other claims (cosign's own {@code -a} annotations), which are ignored.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static SimpleSigningPayload parse(byte[] json) {
        JsonNode root;
        try {
            root = STRICT.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the payload is not JSON with unique keys");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the payload is not a JSON object");
        }
        JsonNode critical = root.path("critical");
        String type = text(critical.path("type"));
        if (!SignatureFormat.COSIGN_TYPE.equals(type)) {
            throw new IllegalArgumentException("the payload's critical.type is '" + type + "', not '"
                    + SignatureFormat.COSIGN_TYPE + "'");
        }
        String digest = text(critical.path("image").path("docker-manifest-digest"));
        if (digest == null) {
            throw new IllegalArgumentException("the payload has no critical.image.docker-manifest-digest");
        }
        String reference = text(critical.path("identity").path("docker-reference"));
        JsonNode optional = root.path("optional");
        return new SimpleSigningPayload(reference == null ? "" : reference, digest, text(optional.path("repository")),
                text(optional.path("commit")), text(optional.path("versionHash")));
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
