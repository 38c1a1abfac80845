package io.imagefarm.core.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A source repository as CI names it, {@code OWNER/NAME} (GitHub's {@code github.repository}).
 * Its image path is the lower-cased name, as the seed's {@code ${REPO,,}} makes it.
 */
public record SourceRepository(String owner, String name) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]+");

    public SourceRepository {
        if (owner == null || !PART.matcher(owner).matches() || name == null || !PART.matcher(name).matches()) {
            throw new InvalidReferenceException("invalid repository '" + owner + "/" + name
                    + "': expected OWNER/NAME of letters, digits, '.', '_' and '-'");
        }
        // The image path must be a valid OCI repository name; check now, not at push time.
        try {
            OciNames.requireRepository(pathOf(owner, name));
        } catch (InvalidReferenceException e) {
            throw new InvalidReferenceException("repository '" + owner + "/" + name
                    + "' cannot name a container image: " + e.getMessage());
        }
    }

    public static SourceRepository parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidReferenceException("repository is empty; expected OWNER/NAME");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        if (slash <= 0 || slash != trimmed.lastIndexOf('/') || slash == trimmed.length() - 1) {
            throw new InvalidReferenceException("invalid repository '" + text + "': expected OWNER/NAME");
        }
        return new SourceRepository(trimmed.substring(0, slash), trimmed.substring(slash + 1));
    }

    /** The image repository path: {@code owner/name}, lower-cased. */
    public String imagePath() {
        return pathOf(owner, name);
    }

    private static String pathOf(String owner, String name) {
        // bash ${REPO,,} lower-cases with the C locale for these ASCII-only names
        return (owner + "/" + name).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return owner + "/" + name;
    }
}
