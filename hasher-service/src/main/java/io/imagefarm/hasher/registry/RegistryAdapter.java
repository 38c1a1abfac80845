package io.imagefarm.hasher.registry;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.hasher.resolve.IndexWriter;
import io.imagefarm.hasher.resolve.ManifestReader;
import io.imagefarm.hasher.resolve.RegistryLookup;
import io.imagefarm.registry.FetchedManifest;
import io.imagefarm.registry.RegistryClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The hasher's side of the shared registry client (produced and closed by registry-client's {@code RegistryBeans}):
 * existence checks, reading per-arch indexes, and index pushes.
 */
@ApplicationScoped
public class RegistryAdapter implements RegistryLookup, ManifestReader, IndexWriter {

    private final RegistryClient client;
    private final String registry;

    public RegistryAdapter(RegistryClient client, HasherConfig config) {
        this.client = client;
        this.registry = config.registry();
    }

    @Override
    public Optional<ManifestHead> head(ImageRef image) {
        return client.headManifest(image);
    }

    @Override
    public Optional<FetchedManifest> manifest(ImageRef ref) {
        return client.getManifest(ref);
    }

    @Override
    public String putIndex(ImageRef index, Manifest manifest) {
        return client.putManifest(index, MediaTypes.OCI_INDEX, manifest.toJson());
    }

    public boolean reachable() {
        return client.ping(registry);
    }

    public String registry() {
        return registry;
    }
}
