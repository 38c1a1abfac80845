package io.imagefarm.janitor.backend;

import io.imagefarm.janitor.policy.PolicySettings;

/**
 * One repository the janitor scans: its image name, which backend reaches it, its policy.
 *
 * @param id         the config key, e.g. {@code widget}
 * @param registry   e.g. {@code ghcr.io} or {@code 127.0.0.1:5000}
 * @param repository e.g. {@code acme/widget}
 * @param ghcrOwnerType {@code org} or {@code user}: which GitHub Packages endpoints own the package (ghcr only)
 */
public record RepositoryTarget(String id, String registry, String repository, BackendKind backend,
                               PolicySettings policy, String ghcrOwnerType) {

    public String image() {
        return registry + "/" + repository;
    }

    /** {@code oci}: any OCI distribution registry; {@code ghcr}: ghcr.io through the GitHub Packages REST API. */
    public enum BackendKind {
        OCI,
        GHCR
    }
}
