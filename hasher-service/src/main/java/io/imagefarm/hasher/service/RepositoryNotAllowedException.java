package io.imagefarm.hasher.service;

/** The repository is not on the allow-list: the farm does not build its Dockerfile. */
public final class RepositoryNotAllowedException extends RuntimeException {

    public RepositoryNotAllowedException(String repository) {
        super("repository " + repository + " is not on the allow-list (imagefarm.hasher.allow-list)");
    }
}
