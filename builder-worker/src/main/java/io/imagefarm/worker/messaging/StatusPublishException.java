package io.imagefarm.worker.messaging;

import io.imagefarm.core.event.ImageStatus;

/** The status topic did not take a status. The event stays unacknowledged and is delivered again. */
public final class StatusPublishException extends RuntimeException {

    public StatusPublishException(ImageStatus status, Throwable cause) {
        super("cannot publish " + status.state() + " for " + status.image() + ": " + cause.getMessage(), cause);
    }
}
