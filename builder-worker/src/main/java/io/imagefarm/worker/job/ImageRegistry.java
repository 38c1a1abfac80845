package io.imagefarm.worker.job;

import io.imagefarm.core.image.ImageRef;
import java.util.Optional;

/** What a build job asks the registry: is the image there, and under which digest. */
public interface ImageRegistry {

    /** The manifest digest the tag resolves to, empty when the tag does not exist. */
    Optional<String> digestOf(ImageRef image);
}
