package io.imagefarm.janitor.config;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.InvalidReferenceException;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * A configured repository's image name, {@code registry/repository} with no tag or digest, e.g.
 * {@code ghcr.io/acme/widget} or {@code 127.0.0.1:5000/acme/widget}. Checked by {@link ImageRef#parse} when
 * the config is read, so a bad name stops start-up and SmallRye's message names the key.
 */
public record ImageName(String registry, String repository) {

    /** For {@code @WithConverter}. */
    public static final class ConfigConverter implements Converter<ImageName> {
        @Override
        public ImageName convert(String value) {
            return parse(value);
        }
    }

    public static ImageName parse(String text) {
        String name = text.trim();
        // ImageRef insists on a tag or digest; this placeholder only satisfies it, so it stays out of messages.
        String placeholder = name + ":latest";
        try {
            ImageRef ref = ImageRef.parse(placeholder);
            return new ImageName(ref.registry(), ref.repository());
        } catch (InvalidReferenceException e) {
            throw new IllegalArgumentException("must be registry/repository with no tag or digest, e.g. ghcr.io/acme/widget; "
                    + e.getMessage().replace(placeholder, name), e);
        }
    }
}
