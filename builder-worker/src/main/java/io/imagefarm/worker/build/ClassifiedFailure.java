package io.imagefarm.worker.build;

import io.imagefarm.core.event.FailureKind;

/**
 * A failure that already knows what it means: the {@link FailureKind} reported on the status topic,
 * whether another attempt can help, and the log lines a human needs. {@link BuildJob} is the one
 * place that turns it into "retry with backoff" or "FAILED".
 */
public class ClassifiedFailure extends RuntimeException {

    private final FailureKind kind;
    private final boolean retryable;
    private final String logTail;

    public ClassifiedFailure(FailureKind kind, boolean retryable, String message, String logTail, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryable = retryable;
        this.logTail = logTail == null ? "" : logTail;
    }

    public ClassifiedFailure(FailureKind kind, String message) {
        this(kind, kind.isTransient(), message, "", null);
    }

    public FailureKind kind() {
        return kind;
    }

    /** Transient: another attempt after a backoff may succeed. */
    public boolean retryable() {
        return retryable;
    }

    public String logTail() {
        return logTail;
    }
}
