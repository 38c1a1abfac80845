package io.imagefarm.core.image;

import java.util.Objects;

/**
 * A fully qualified image reference: {@code registry/repository[:tag][@digest]}. Parsed and
 * validated once; everything downstream can trust its parts.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {

    public ImageRef {
        OciNames.requireRegistry(registry);
        OciNames.requireRepository(repository);
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
        int nameLength = registry.length() + 1 + repository.length();
        if (nameLength > OciNames.MAX_NAME_LENGTH) {
            throw new InvalidReferenceException("image name " + registry + "/" + repository + " is " + nameLength
                    + " characters long; the limit is " + OciNames.MAX_NAME_LENGTH);
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
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new InvalidReferenceException("image reference '" + text + "' must start with a registry host, e.g. ghcr.io/owner/name:tag");
        }
        String registry = rest.substring(0, slash);
        if (!registry.contains(".") && !registry.contains(":") && !registry.equals("localhost") && !registry.startsWith("[")) {
            throw new InvalidReferenceException("image reference '" + text + "' must start with a registry host (a name with a '.' or ':' or 'localhost'), e.g. ghcr.io/owner/name:tag");
        }
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
