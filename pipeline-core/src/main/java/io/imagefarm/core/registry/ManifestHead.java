package io.imagefarm.core.registry;

/** What a manifest HEAD says: the content digest, its media type and size. */
public record ManifestHead(String digest, String mediaType, long size) {

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }
}
