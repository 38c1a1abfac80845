package io.imagefarm.janitor.backend;

/** A GitHub REST call that did not succeed: status and GitHub's {@code message}. Transient for 5xx. */
public final class GithubApiException extends RuntimeException {

    private final int status;

    public GithubApiException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public boolean isTransient() {
        return status == 0 || status >= 500;
    }
}
