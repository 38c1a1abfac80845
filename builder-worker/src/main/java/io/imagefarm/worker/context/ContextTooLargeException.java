package io.imagefarm.worker.context;

import io.imagefarm.core.event.ClassifiedFailure;
import io.imagefarm.core.event.FailureKind;

/** The repository at that commit holds more than the configured context limit. Permanent. */
public final class ContextTooLargeException extends ClassifiedFailure {

    public ContextTooLargeException(String sourceUrl, String commit, long limitBytes) {
        super(FailureKind.CONTEXT_TOO_LARGE,
                "build context of " + sourceUrl + " at " + commit + " exceeds the limit of " + limitBytes + " bytes");
    }
}
