package io.imagefarm.janitor.config;

import io.imagefarm.core.image.Arch;
import org.eclipse.microprofile.config.spi.Converter;

/** {@link Arch#parse}: {@code arm64} or {@code linux/arm64}, any case, as the janitor has always read its arches. */
public final class ArchConverter implements Converter<Arch> {

    @Override
    public Arch convert(String value) {
        return Arch.parse(value);
    }
}
