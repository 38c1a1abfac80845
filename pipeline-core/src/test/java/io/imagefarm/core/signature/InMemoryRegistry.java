package io.imagefarm.core.signature;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.RegistryException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A registry in a map: manifests by repository and tag or digest, blobs by repository and digest. */
final class InMemoryRegistry implements ContentWriter {

    final Map<String, byte[]> manifests = new HashMap<>();
    final Map<String, byte[]> blobs = new HashMap<>();

    @Override
    public Optional<Fetched> manifest(ImageRef ref) {
        byte[] body = manifests.get(ref.repo() + " " + ref.reference());
        return body == null ? Optional.empty()
                : Optional.of(new Fetched(SignatureManifest.sha256(body), Manifest.parse(body, null)));
    }

    @Override
    public byte[] blob(Repository repository, String digest) {
        byte[] blob = blobs.get(repository + " " + digest);
        if (blob == null) {
            throw new RegistryException("blob " + digest + " not found", 404, "BLOB_UNKNOWN");
        }
        return blob;
    }

    @Override
    public String pushBlob(Repository repository, byte[] content) {
        String digest = SignatureManifest.sha256(content);
        blobs.put(repository + " " + digest, content);
        return digest;
    }

    @Override
    public String putManifest(ImageRef tag, String mediaType, byte[] body) {
        String digest = SignatureManifest.sha256(body);
        manifests.put(tag.repo() + " " + tag.reference(), body);
        manifests.put(tag.repo() + " " + digest, body);
        return digest;
    }

    /** Pushes a manifest by digest only; returns its digest. */
    String putByDigest(Repository repository, byte[] body) {
        String digest = SignatureManifest.sha256(body);
        manifests.put(repository + " " + digest, body);
        return digest;
    }

    byte[] manifestBytes(ImageRef ref) {
        return manifests.get(ref.repo() + " " + ref.reference());
    }
}
