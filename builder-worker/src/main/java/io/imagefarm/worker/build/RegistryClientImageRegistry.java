package io.imagefarm.worker.build;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.registry.RegistryClient;
import java.util.Optional;

/** {@link ImageRegistry} over the shared {@link RegistryClient} (HEAD with the full Accept list). */
public final class RegistryClientImageRegistry implements ImageRegistry {

    private final RegistryClient client;

    public RegistryClientImageRegistry(RegistryClient client) {
        this.client = client;
    }

    @Override
    public Optional<String> digestOf(ImageRef image) {
        return client.headManifest(image).map(ManifestHead::digest);
    }
}
