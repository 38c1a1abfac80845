package io.imagefarm.core.signature;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.Repository;
import io.imagefarm.core.registry.Manifest;
import java.util.Optional;

/**
 * The registry reads verification needs. The hasher's side implements it over the project's registry
 * client ({@code io.imagefarm.registry.signature.RegistryContentStore}), the CLI over plain HTTP: this package
 * stays plain Java for both.
 */
public interface ContentReader {

    /** A manifest or index and the digest of its bytes. */
    record Fetched(String digest, Manifest manifest) {
    }

    /**
     * The manifest or index under a tag or digest, its bytes checked against its digest; empty when the
     * registry has none (404).
     */
    Optional<Fetched> manifest(ImageRef ref);

    /** A blob's bytes, checked against its digest. */
    byte[] blob(Repository repository, String digest);
}
