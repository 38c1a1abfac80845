package io.imagefarm.hasher.resolve;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.registry.FetchedManifest;
import java.util.Optional;

/** Port: reads a manifest or index (verified against its digest) from its registry; empty when it is not there. */
public interface ManifestReader {

    Optional<FetchedManifest> manifest(ImageRef ref);
}
