package io.imagefarm.janitor.config;

import io.imagefarm.core.image.Repository;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * {@link Repository#parse}: a configured repository is {@code registry/path} with no tag or digest, e.g.
 * {@code ghcr.io/acme/widget} or {@code 127.0.0.1:5000/acme/widget}. Checked when the config is read, so a
 * bad name stops start-up and SmallRye's message names the key.
 */
public final class RepositoryConverter implements Converter<Repository> {

    @Override
    public Repository convert(String value) {
        return Repository.parse(value.trim());
    }
}
