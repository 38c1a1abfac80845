package io.imagefarm.core.image;

import io.imagefarm.core.hash.VersionHash;

/**
 * Where a repository's builder image for one version hash lives: the seed's image base
 * ({@code :builder-<hash>}) and cache base ({@code :buildcache}), and the per-arch refs derived
 * from them. Per-arch cache refs keep amd64 and arm64 {@code mode=max} exports from overwriting
 * each other, which a shared {@code buildcache} ref does.
 */
public record ImageCoordinates(VersionHash versionHash, ImageRef imageBase, ImageRef cacheBase) {

    public static final String DEFAULT_REGISTRY = "ghcr.io";
    public static final String BUILDER_TAG_PREFIX = "builder-";
    public static final String CACHE_TAG = "buildcache";

    public static ImageCoordinates of(String registry, SourceRepository repository, VersionHash hash) {
        String path = repository.imagePath();
        return new ImageCoordinates(hash,
                ImageRef.ofTag(registry, path, BUILDER_TAG_PREFIX + hash.value()),
                ImageRef.ofTag(registry, path, CACHE_TAG));
    }

    /** {@code <image base>-<arch>}: the single-platform image a worker of that arch pushes. */
    public ImageRef image(Arch arch) {
        return imageBase.withTag(imageBase.tag() + "-" + arch.id());
    }

    /** {@code <cache base>-<arch>}: the registry cache ref of that arch. */
    public ImageRef cache(Arch arch) {
        return cacheBase.withTag(cacheBase.tag() + "-" + arch.id());
    }

    /** The multi-arch index tag, {@code builder-<hash>}, which is the image base itself. */
    public ImageRef index() {
        return imageBase;
    }
}
