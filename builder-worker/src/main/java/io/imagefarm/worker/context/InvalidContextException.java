package io.imagefarm.worker.context;

import io.imagefarm.core.event.ClassifiedFailure;
import io.imagefarm.core.event.FailureKind;

/**
 * The context cannot be built safely or at all: a Dockerfile outside the context, a symlink pointing
 * out of it, a commit the remote does not have. Permanent: the same event fails the same way again.
 */
public final class InvalidContextException extends ClassifiedFailure {

    public InvalidContextException(String message) {
        super(FailureKind.INVALID_CONTEXT, message);
    }
}
