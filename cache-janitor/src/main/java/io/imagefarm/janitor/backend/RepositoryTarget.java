package io.imagefarm.janitor.backend;

import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.policy.PolicySettings;

/**
 * One repository the janitor scans: where it is, which backend reaches it, its policy.
 *
 * @param id         the config key, e.g. {@code widget}
 * @param repository e.g. {@code ghcr.io/acme/widget} or {@code 127.0.0.1:5000/acme/widget}
 * @param ghcrOwner  which GitHub Packages endpoints own the package (ghcr only)
 */
public record RepositoryTarget(String id, Repository repository, BackendKind backend, PolicySettings policy,
                               OwnerType ghcrOwner) {

    /** {@code registry/path}, as reports and metrics name the repository. */
    public String image() {
        return repository.toString();
    }

    /** {@code oci}: any OCI distribution registry; {@code ghcr}: ghcr.io through the GitHub Packages REST API. */
    public enum BackendKind {
        OCI,
        GHCR
    }

    /** Who owns a ghcr.io package: an organization ({@code /orgs/...}) or a user ({@code /users/...}). */
    public enum OwnerType {
        ORG("orgs"),
        USER("users");

        private final String pathSegment;

        OwnerType(String pathSegment) {
            this.pathSegment = pathSegment;
        }

        /** The GitHub REST path segment: {@code orgs} or {@code users}. */
        public String pathSegment() {
            return pathSegment;
        }
    }
}
