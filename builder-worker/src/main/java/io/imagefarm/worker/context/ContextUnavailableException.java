package io.imagefarm.worker.context;

import io.imagefarm.core.event.ClassifiedFailure;
import io.imagefarm.core.event.FailureKind;

/**
 * The git remote could not be reached or fetched from (network, 5xx, a silent remote, a refusal).
 * {@link FailureKind#SOURCE_UNAVAILABLE}: transient, so the event is retried within its budget.
 */
public final class ContextUnavailableException extends ClassifiedFailure {

    public ContextUnavailableException(String message, Throwable cause) {
        super(FailureKind.SOURCE_UNAVAILABLE, message, "", cause);
    }
}
