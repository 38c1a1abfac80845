package io.imagefarm.core.image;

import java.util.Objects;

/**
 * A fully qualified image reference: {@code registry/repository[:tag][@digest]}. Parsed and
 * validated once; everything downstream can trust its parts. {@link Repository#tag} and
 * {@link Repository#digest} name one in a known repository.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {

    public ImageRef {
        Repository.validate(registry, repository);
        if (tag != null) {
            OciNames.requireTag(tag);
        }
        if (digest != null) {
            OciNames.requireDigest(digest);
        }
        if (tag == null && digest == null) {
            throw new InvalidReferenceException("image reference " + registry + "/" + repository
                    + " names neither a tag nor a digest");
        }
    }

    public static ImageRef ofTag(String registry, String repository, String tag) {
        return new ImageRef(registry, repository, Objects.requireNonNull(tag, "tag"), null);
    }

    /**
     * Parses {@code host[:port]/path[:tag][@digest]}. The registry host is required: imagefarm never
     * guesses Docker Hub.
     */
    public static ImageRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidReferenceException("image reference is empty");
        }
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        int slash = OciNames.registryHostEnd(rest, "image reference '" + text + "'", "ghcr.io/owner/name:tag");
        String registry = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        String tag = null;
        int colon = path.lastIndexOf(':');
        if (colon >= 0) {
            tag = path.substring(colon + 1);
            path = path.substring(0, colon);
        }
        try {
            return new ImageRef(registry, path, tag, digest);
        } catch (InvalidReferenceException e) {
            throw new InvalidReferenceException("image reference '" + text + "': " + e.getMessage());
        }
    }

    /** {@code registry/repository}, without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The repository this image is in, as a value: what tags are listed from and token scopes name. */
    public Repository repo() {
        return new Repository(registry, repository);
    }

    public ImageRef withTag(String newTag) {
        return new ImageRef(registry, repository, newTag, null);
    }

    public ImageRef withDigest(String newDigest) {
        return new ImageRef(registry, repository, null, newDigest);
    }

    /** What a manifest request names: the digest when known, else the tag. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name());
        if (tag != null) {
            s.append(':').append(tag);
        }
        if (digest != null) {
            s.append('@').append(digest);
        }
        return s.toString();
    }
}
