package io.imagefarm.worker.job;

import io.imagefarm.core.image.ImageRef;

/** Housekeeping on the build host after a build (implemented with docker-java by {@link DockerEngine}). */
public interface LocalImages {

    /** Removes the local copy of a pushed image; absent is fine. */
    void removeLocalImage(ImageRef image);

    /** Prunes the build cache down to {@code keepBytes}. */
    void pruneBuildCache(long keepBytes);
}
