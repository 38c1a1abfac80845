package io.imagefarm.janitor.backend;

/** A GitHub REST call that did not succeed: status ({@code 0}: unreachable) and GitHub's {@code message}. */
public final class GithubApiException extends RuntimeException {

    private final int status;

    public GithubApiException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
