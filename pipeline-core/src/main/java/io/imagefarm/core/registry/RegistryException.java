package io.imagefarm.core.registry;

/**
 * A registry call that did not succeed. {@link #isTransient()} is the one place that decides
 * retry-with-backoff against fail-now, as go-containerregistry's {@code Temporary()} does: 408, 429,
 * 5xx and I/O errors are transient; everything else is permanent.
 */
public class RegistryException extends RuntimeException {

    private final int status;
    private final String code;

    public RegistryException(String message, int status, String code, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public RegistryException(String message, int status, String code) {
        this(message, status, code, null);
    }

    /** The HTTP status, or 0 when no answer came (connection refused, timeout). */
    public int status() {
        return status;
    }

    /** The distribution error code (e.g. {@code UNSUPPORTED}, {@code DENIED}), if the body named one. */
    public String code() {
        return code;
    }

    public boolean isTransient() {
        return isTransientStatus(status);
    }

    public boolean isAuthFailure() {
        return status == 401 || status == 403;
    }

    /** Deletion disabled on the registry (405 UNSUPPORTED). */
    public boolean isUnsupported() {
        return status == 405 || "UNSUPPORTED".equals(code);
    }

    public static boolean isTransientStatus(int status) {
        return status == 0 || status == 408 || status == 429 || status >= 500;
    }
}
