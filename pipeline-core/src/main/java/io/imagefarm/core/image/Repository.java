package io.imagefarm.core.image;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository in a registry, {@code registry/path} with no tag or digest (go-containerregistry's
 * {@code name.Repository}): what tags are listed from, blobs are read from and token scopes name. Parsed
 * and validated once; {@link #tag} and {@link #digest} name the images in it.
 *
 * @param registry host[:port], e.g. {@code ghcr.io} or {@code 127.0.0.1:5000}
 * @param path     the repository name inside the registry, e.g. {@code acme/widget}
 */
public record Repository(String registry, String path) {

    private static final Pattern ACTION = Pattern.compile("[a-z]+|\\*");

    public Repository {
        validate(registry, path);
    }

    public static Repository of(String registry, String path) {
        return new Repository(registry, path);
    }

    /**
     * Parses {@code host[:port]/path}. The registry host is required (imagefarm never guesses Docker Hub),
     * and a tag or digest is refused: that names an image, see {@link ImageRef#parse}.
     */
    public static Repository parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidReferenceException("repository is empty; expected registry/repository, e.g. ghcr.io/acme/widget");
        }
        int slash = OciNames.registryHostEnd(text, "repository '" + text + "'", "ghcr.io/acme/widget");
        String path = text.substring(slash + 1);
        if (text.indexOf('@') >= 0 || path.indexOf(':') >= 0) {
            throw new InvalidReferenceException("repository '" + text
                    + "' must name no tag or digest, e.g. ghcr.io/acme/widget");
        }
        try {
            return new Repository(text.substring(0, slash), path);
        } catch (InvalidReferenceException e) {
            throw new InvalidReferenceException("repository '" + text + "': " + e.getMessage());
        }
    }

    /** The image {@code registry/path:tag}. */
    public ImageRef tag(String tag) {
        return new ImageRef(registry, path, Objects.requireNonNull(tag, "tag"), null);
    }

    /** The manifest or blob {@code registry/path@digest}. */
    public ImageRef digest(String digest) {
        return new ImageRef(registry, path, null, Objects.requireNonNull(digest, "digest"));
    }

    /**
     * The token scope for these actions, as the distribution token spec writes it:
     * {@code repository:acme/widget:pull,push}.
     */
    public String scope(String... actions) {
        if (actions.length == 0) {
            throw new IllegalArgumentException("a scope of " + this + " needs at least one action (pull, push, delete)");
        }
        for (String action : actions) {
            if (action == null || !ACTION.matcher(action).matches()) {
                throw new IllegalArgumentException("invalid scope action '" + action + "' for " + this
                        + ": expected pull, push, delete or *");
            }
        }
        return "repository:" + path + ":" + String.join(",", actions);
    }

    @Override
    public String toString() {
        return registry + "/" + path;
    }

    /** The one check of a registry host and repository path, for this type and for {@link ImageRef}. */
    static void validate(String registry, String path) {
        OciNames.requireRegistry(registry);
        OciNames.requireRepository(path);
        int nameLength = registry.length() + 1 + path.length();
        if (nameLength > OciNames.MAX_NAME_LENGTH) {
            throw new InvalidReferenceException("image name " + registry + "/" + path + " is " + nameLength
                    + " characters long; the limit is " + OciNames.MAX_NAME_LENGTH);
        }
    }
}
