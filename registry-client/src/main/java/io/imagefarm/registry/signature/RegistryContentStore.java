package io.imagefarm.registry.signature;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.signature.ContentWriter;
import io.imagefarm.registry.RegistryClient;
import java.util.Objects;
import java.util.Optional;

/**
 * The signature package's registry port over the project's {@link RegistryClient}: its auth, retries and
 * digest checks. What a service hands a {@link io.imagefarm.core.signature.Signer} or
 * {@link io.imagefarm.core.signature.SignatureVerifier}.
 */
public final class RegistryContentStore implements ContentWriter {

    private final RegistryClient client;

    public RegistryContentStore(RegistryClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public Optional<Fetched> manifest(ImageRef ref) {
        return client.getManifest(ref).map(m -> new Fetched(m.digest(), m.manifest()));
    }

    @Override
    public byte[] blob(Repository repository, String digest) {
        return client.getBlob(repository, digest);
    }

    @Override
    public String pushBlob(Repository repository, byte[] content) {
        return client.pushBlob(repository, content);
    }

    @Override
    public String putManifest(ImageRef tag, String mediaType, byte[] body) {
        return client.putManifest(tag, mediaType, body);
    }
}
