package io.imagefarm.hasher.resolve;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.ManifestHead;
import java.util.Optional;

/** Port: does this image exist in its registry? (An index or a manifest both count.) */
public interface RegistryLookup {

    Optional<ManifestHead> head(ImageRef image);
}
