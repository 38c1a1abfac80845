package io.imagefarm.worker.job;

import io.imagefarm.core.event.ImageStatus;

/** Where a job's statuses go. {@link #publish} returns once the status is durable (acks=all). */
public interface StatusSink {

    void publish(ImageStatus status);
}
