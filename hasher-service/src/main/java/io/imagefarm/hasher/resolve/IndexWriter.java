package io.imagefarm.hasher.resolve;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.registry.Manifest;

/** Port: pushes a multi-arch index to the registry and returns its digest. */
public interface IndexWriter {

    String putIndex(ImageRef index, Manifest manifest);
}
