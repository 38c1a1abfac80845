package io.imagefarm.core.registry;

import java.util.List;

/** Manifest media types, and the Accept list every manifest request sends. */
public final class MediaTypes {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** The layer of a buildx attestation manifest: an in-toto statement (SLSA provenance). */
    public static final String IN_TOTO = "application/vnd.in-toto+json";

    /**
     * Indexes and manifests, OCI and Docker. With a narrower Accept, distribution answers 404 for an
     * index, and a false "missing" would trigger rebuild storms.
     */
    public static final List<String> MANIFEST_ACCEPT = List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

    public static final String MANIFEST_ACCEPT_HEADER = String.join(", ", MANIFEST_ACCEPT);

    private MediaTypes() {
    }

    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    /** An image's config (OCI or Docker), which says when the image was built; a cache manifest's config is not. */
    public static boolean isImageConfig(String mediaType) {
        return OCI_CONFIG.equals(mediaType) || DOCKER_CONFIG.equals(mediaType);
    }
}
