package io.imagefarm.registry;

import io.imagefarm.core.registry.Manifest;

/** A manifest or index as the registry served it: its digest, media type, raw bytes and parsed form. */
public record FetchedManifest(String digest, String mediaType, byte[] body, Manifest manifest) {
}
