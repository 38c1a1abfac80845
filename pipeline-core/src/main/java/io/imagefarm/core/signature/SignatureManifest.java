package io.imagefarm.core.signature;

import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The OCI image manifest under {@code sha256-<hex>.sig}, as cosign writes it: one layer per signature, each
 * the payload blob ({@value SignatureFormat#PAYLOAD_MEDIA_TYPE}) with its base64 signature in the
 * {@value SignatureFormat#SIGNATURE_ANNOTATION} annotation, and an image config listing the layers (cosign's
 * config: empty platform, zero timestamps, the payload digests as diff ids, since payloads are stored
 * uncompressed). Pure: the {@link Signer} pushes what it builds.
 *
 * @param layers the signature layers, oldest first; other layers a tag held are kept as they were
 */
public record SignatureManifest(List<Descriptor> layers) {

    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    public SignatureManifest {
        layers = List.copyOf(layers);
    }

    /** A signature layer: the payload blob's descriptor with its signature annotation. */
    public static Descriptor layer(byte[] payload, String signatureBase64) {
        return new Descriptor(SignatureFormat.PAYLOAD_MEDIA_TYPE, sha256(payload), payload.length, null,
                Map.of(SignatureFormat.SIGNATURE_ANNOTATION, signatureBase64));
    }

    /** The simple-signing layers of a manifest a {@code .sig} tag holds; none if it is not such a manifest. */
    public static List<Descriptor> signatureLayers(Manifest manifest) {
        if (manifest.isIndex() || manifest.layers() == null) {
            return List.of();
        }
        return manifest.layers().stream()
                .filter(l -> l != null && SignatureFormat.PAYLOAD_MEDIA_TYPE.equals(l.mediaType()) && l.digest() != null)
                .toList();
    }

    /**
     * The signatures a tag held plus {@code added}: a layer for the same payload (the same image and claims,
     * signed again by another replica or after a restart) is replaced, so signing is idempotent; other
     * payloads' signatures (another commit with the same hash, another key) are kept, cosign's way. Beyond
     * {@value SignatureFormat#MAX_SIGNATURES} the oldest are dropped.
     */
    public static SignatureManifest appending(List<Descriptor> existing, Descriptor added) {
        List<Descriptor> layers = new ArrayList<>();
        for (Descriptor d : existing) {
            if (!d.digest().equals(added.digest())) {
                layers.add(d);
            }
        }
        layers.add(added);
        int excess = layers.size() - SignatureFormat.MAX_SIGNATURES;
        return new SignatureManifest(excess > 0 ? layers.subList(excess, layers.size()) : layers);
    }

    /** The config blob: deterministic for the same layers. */
    public byte[] configJson() {
        StringBuilder diffIds = new StringBuilder();
        StringBuilder history = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            diffIds.append(i > 0 ? "," : "").append('"').append(layers.get(i).digest()).append('"');
            history.append(i > 0 ? "," : "").append("{\"created\":\"" + ZERO_TIME + "\"}");
        }
        return ("{\"architecture\":\"\",\"config\":{},\"created\":\"" + ZERO_TIME + "\",\"history\":[" + history
                + "],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The manifest's bytes, naming {@link #configJson()} as its config. */
    public byte[] manifestJson() {
        byte[] config = configJson();
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, sha256(config), config.length, null, null);
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, configDescriptor, layers, null, null);
        // The same field order every time: the record's, nulls left out.
        return manifest.toJson();
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
