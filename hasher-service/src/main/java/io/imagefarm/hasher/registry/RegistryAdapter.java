package io.imagefarm.hasher.registry;

import io.imagefarm.core.secret.Secrets;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.ManifestHead;
import io.imagefarm.core.registry.MediaTypes;
import io.imagefarm.hasher.config.HasherConfig;
import io.imagefarm.hasher.resolve.IndexWriter;
import io.imagefarm.hasher.resolve.RegistryLookup;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.registry.RegistryClientSettings;
import io.imagefarm.registry.RegistryCredentials;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The hasher's side of the shared registry client: existence checks and index pushes. */
@ApplicationScoped
public class RegistryAdapter implements RegistryLookup, IndexWriter {

    private final RegistryClient client;
    private final String registry;

    public RegistryAdapter(HasherConfig config) {
        RegistryClientSettings settings = RegistryClientSettings.defaults()
                .withPlainHttp(new HashSet<>(config.registryAuth().plainHttp().orElse(List.of())));
        Optional<String> password = Secrets.read("imagefarm.hasher.registry-auth.password",
                config.registryAuth().password(), config.registryAuth().passwordFile());
        if (config.registryAuth().username().isPresent() && password.isPresent()) {
            settings = settings.withCredentials(Map.of(config.registry(),
                    new RegistryCredentials(config.registryAuth().username().get(), password.get())));
        }
        this.client = new RegistryClient(settings);
        this.registry = config.registry();
    }

    @Override
    public Optional<ManifestHead> head(ImageRef image) {
        return client.headManifest(image);
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
