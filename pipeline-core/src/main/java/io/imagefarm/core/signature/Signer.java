package io.imagefarm.core.signature;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.MediaTypes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Signs pushed images in cosign's format: for each digest, a simple-signing payload naming the digest and
 * the {@link SignatureClaims}, signed with the {@link SigningKey}, pushed as the payload blob, the config
 * blob, then the manifest under {@code sha256-<hex>.sig} in the image's repository. No transparency log.
 *
 * <p>Idempotent and safe with several signers: the payload is deterministic, so replicas signing the same
 * digest with the same claims push the same blob and replace each other's layer (ECDSA signatures differ,
 * each verifies). Different claims for one digest (two commits with one version hash) add a layer each, as
 * cosign appends. Two signers racing on one tag with different claims: the last manifest wins, the other
 * claim's layer may be lost; a READY check that verifies its own claims (see {@link SignatureVerifier})
 * signs again.
 *
 * <p>Blocking (registry calls). Plain Java: a service wires it when a key is configured, e.g.
 * {@code SigningKey.fromSecret(key, file).map(k -> new Signer(k, store))}.
 */
public final class Signer {

    private final SigningKey key;
    private final ContentWriter registry;

    public Signer(SigningKey key, ContentWriter registry) {
        this.key = Objects.requireNonNull(key, "key");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Signs an index and each platform manifest it holds (attestation manifests are not signed on their
     * own: the index's digest covers them).
     *
     * @param indexDigest the digest of {@code index}'s bytes as pushed
     * @return the signature tags pushed, the index's first
     */
    public List<ImageRef> signIndex(Repository repository, String indexDigest, Manifest index, SignatureClaims claims) {
        List<String> digests = new ArrayList<>();
        digests.add(indexDigest);
        for (Descriptor platform : Attestations.platformManifests(index)) {
            digests.add(platform.digest());
        }
        return sign(repository, digests, claims);
    }

    /** Signs each digest (duplicates once), in order; returns the signature tags pushed. */
    public List<ImageRef> sign(Repository repository, List<String> digests, SignatureClaims claims) {
        List<ImageRef> pushed = new ArrayList<>();
        for (String digest : new LinkedHashSet<>(digests)) {
            pushed.add(sign(repository, digest, claims));
        }
        return pushed;
    }

    /** Signs one manifest or index digest; returns its signature tag. */
    public ImageRef sign(Repository repository, String digest, SignatureClaims claims) {
        ImageRef tag = repository.tag(SignatureFormat.signatureTag(digest));
        byte[] payload = SimpleSigningPayload.of(repository.toString(), digest, claims).toJson();
        Descriptor layer = SignatureManifest.layer(payload, key.signBase64(payload));
        List<Descriptor> existing = registry.manifest(tag)
                .map(ContentReader.Fetched::manifest)
                .map(Signer::layersOf)
                .orElse(List.of());
        SignatureManifest manifest = SignatureManifest.appending(existing, layer);
        registry.pushBlob(repository, payload);
        registry.pushBlob(repository, manifest.configJson());
        registry.putManifest(tag, MediaTypes.OCI_MANIFEST, manifest.manifestJson());
        return tag;
    }

    /** Whether {@code digest}'s signature tag holds a signature manifest with a layer (not whether it verifies). */
    public boolean hasSignature(Repository repository, String digest) {
        return registry.manifest(repository.tag(SignatureFormat.signatureTag(digest)))
                .map(ContentReader.Fetched::manifest).map(Signer::layersOf).map(l -> !l.isEmpty()).orElse(false);
    }

    /** The layers a signature tag holds now; what is not a signature manifest is replaced. */
    private static List<Descriptor> layersOf(Manifest manifest) {
        if (manifest.isIndex() || manifest.layers() == null) {
            return List.of();
        }
        return manifest.layers().stream().filter(l -> l != null && l.digest() != null).toList();
    }

    @Override
    public String toString() {
        return "Signer[" + key + "]";
    }
}
