package io.imagefarm.worker.job;

import io.imagefarm.core.event.ImageRequired;
import io.imagefarm.core.event.InvalidEventException;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;

/**
 * An {@link ImageRequired} event checked for this worker: its platform is the worker's arch and its
 * image and cache refs parse. Anything else makes the event poison ({@link InvalidEventException}):
 * it goes to the dead-letter topic, never to a build.
 */
public record JobSpec(ImageRequired event, Arch arch, ImageRef image, ImageRef cache) {

    public static JobSpec of(ImageRequired event, Arch workerArch) {
        Arch arch;
        ImageRef image;
        ImageRef cache;
        try {
            arch = Arch.parse(event.platform());
            image = ImageRef.parse(event.image());
            cache = ImageRef.parse(event.cache());
        } catch (InvalidReferenceException e) {
            throw new InvalidEventException("ImageRequired " + event.eventId() + ": " + e.getMessage());
        }
        if (arch != workerArch) {
            throw new InvalidEventException("ImageRequired " + event.eventId() + " is for " + event.platform()
                    + " but this worker builds " + workerArch.platform());
        }
        if (image.tag() == null || image.digest() != null) {
            throw new InvalidEventException("ImageRequired " + event.eventId() + ": image " + image + " must be a tag");
        }
        if (cache.tag() == null || cache.digest() != null) {
            throw new InvalidEventException("ImageRequired " + event.eventId() + ": cache " + cache + " must be a tag");
        }
        return new JobSpec(event, arch, image, cache);
    }
}
