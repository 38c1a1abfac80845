package io.imagefarm.worker.context;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.worker.build.ClassifiedFailure;

/**
 * The git remote did not answer (network, 5xx). Transient, so it is retried; reported as
 * INVALID_CONTEXT if the budget runs out, since {@link FailureKind} has no "source unavailable".
 */
public final class SourceUnavailableException extends ClassifiedFailure {

    public SourceUnavailableException(String message, Throwable cause) {
        super(FailureKind.INVALID_CONTEXT, true, message, "", cause);
    }
}
