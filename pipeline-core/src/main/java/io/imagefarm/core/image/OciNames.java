package io.imagefarm.core.image;

import java.util.regex.Pattern;

/**
 * The naming grammar of the OCI distribution spec and of the reference grammar that Docker and
 * CNCF distribution implement. Validation happens once, when a value type is built.
 */
public final class OciNames {

    /** One path component: lower-case alphanumerics, joined by '.', '_', '__' or runs of '-'. */
    static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");

    /** The repository name (without registry host), as in the distribution spec. */
    static final Pattern REPOSITORY = Pattern.compile(PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*");

    /** Tags: at most 128 characters, starting with a word character. */
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    /** Registry host: DNS name or IPv4 or bracketed IPv6, optional port. */
    static final Pattern REGISTRY = Pattern.compile(
            "(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    /** Docker's reference library refuses full names (registry + repository) longer than this. */
    static final int MAX_NAME_LENGTH = 255;

    private OciNames() {
    }

    public static String requireRepository(String repository) {
        if (repository == null || repository.isEmpty()) {
            throw new InvalidReferenceException("repository name is empty");
        }
        if (!REPOSITORY.matcher(repository).matches()) {
            throw new InvalidReferenceException("invalid repository name '" + repository
                    + "': each '/'-separated component must be lower-case letters and digits, "
                    + "separated by '.', '_', '__' or '-' (OCI distribution spec)");
        }
        return repository;
    }

    public static String requireTag(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new InvalidReferenceException("invalid tag '" + tag
                    + "': at most 128 characters of [A-Za-z0-9_.-], not starting with '.' or '-' (OCI distribution spec)");
        }
        return tag;
    }

    public static String requireRegistry(String registry) {
        if (registry == null || !REGISTRY.matcher(registry).matches()) {
            throw new InvalidReferenceException("invalid registry host '" + registry + "': expected host[:port]");
        }
        return registry;
    }

    public static String requireDigest(String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new InvalidReferenceException("invalid digest '" + digest + "': expected sha256:<64 hex>");
        }
        return digest;
    }

    /**
     * Where the registry host of {@code name} ends: its first '/'. The host is required and must look like
     * one (a '.' or ':' in it, or {@code localhost}): imagefarm never guesses Docker Hub.
     *
     * @param described the input as messages name it, e.g. {@code image reference 'x'}
     * @param example   a valid input, for the message
     */
    static int registryHostEnd(String name, String described, String example) {
        int slash = name.indexOf('/');
        if (slash <= 0) {
            throw new InvalidReferenceException(described + " must start with a registry host, e.g. " + example);
        }
        String registry = name.substring(0, slash);
        if (!registry.contains(".") && !registry.contains(":") && !registry.equals("localhost") && !registry.startsWith("[")) {
            throw new InvalidReferenceException(described + " must start with a registry host (a name with a '.' or ':' or"
                    + " 'localhost'), e.g. " + example);
        }
        return slash;
    }

    public static boolean isValidTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }
}
