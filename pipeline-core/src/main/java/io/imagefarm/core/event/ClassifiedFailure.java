package io.imagefarm.core.event;

/**
 * A failure that already knows what it means: the {@link FailureKind} reported on the status topic and
 * the log lines a human needs. Whether another attempt can help is the kind's
 * {@link FailureKind#isTransient()}, nothing else, so the worker and the hasher (which remembers
 * permanent failures) never disagree. The worker's {@code BuildJob} is the one place that turns it into
 * "retry with backoff" or "FAILED"; the worker's context and verify steps throw subclasses of it.
 */
public class ClassifiedFailure extends RuntimeException {

    private final FailureKind kind;
    private final String logTail;

    public ClassifiedFailure(FailureKind kind, String message, String logTail, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.logTail = logTail == null ? "" : logTail;
    }

    public ClassifiedFailure(FailureKind kind, String message) {
        this(kind, message, "", null);
    }

    public FailureKind kind() {
        return kind;
    }

    public String logTail() {
        return logTail;
    }
}
