package io.imagefarm.core.signature;

import java.util.Objects;

/**
 * Why an image exists, as a signature's payload states it ({@code optional} in cosign's simple-signing
 * format): the source repository, the commit and the version hash it was built for.
 *
 * @param repository  the source repository, {@code OWNER/NAME}
 * @param commit      the commit SHA
 * @param versionHash the version hash, what {@code builder-<hash>} is named after
 */
public record SignatureClaims(String repository, String commit, String versionHash) {

    public SignatureClaims {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(versionHash, "versionHash");
    }
}
