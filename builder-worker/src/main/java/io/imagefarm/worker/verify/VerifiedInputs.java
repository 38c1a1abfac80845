package io.imagefarm.worker.verify;

import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionInputs;
import java.util.Objects;

/**
 * What the worker checked before it built: the commit it fetched, the inputs it recomputed from the
 * files there, and their hash (equal to the event's). The image labels and the BUILT status carry these
 * values, never the event's claims.
 */
public record VerifiedInputs(String commit, VersionHash versionHash, VersionInputs inputs) {

    public VerifiedInputs {
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(versionHash, "versionHash");
        Objects.requireNonNull(inputs, "inputs");
    }
}
