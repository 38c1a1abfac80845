package io.imagefarm.worker.verify;

import io.imagefarm.core.event.ClassifiedFailure;
import io.imagefarm.core.event.FailureKind;

/**
 * The event asks for something its commit does not back: reported FAILED with
 * {@link FailureKind#INPUTS_MISMATCH}, nothing built or pushed. Permanent.
 */
public final class InputsMismatchException extends ClassifiedFailure {

    public InputsMismatchException(String message) {
        super(FailureKind.INPUTS_MISMATCH, message);
    }
}
