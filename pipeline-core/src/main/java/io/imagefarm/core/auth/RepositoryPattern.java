package io.imagefarm.core.auth;

import io.imagefarm.core.image.SourceRepository;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which repositories a credential may act on: {@code acme/widget}, {@code acme/*} (every repository
 * of an owner) or {@code *}. Compared case-insensitively, as GitHub compares names.
 */
public final class RepositoryPattern {

    private static final Pattern VALID = Pattern.compile("\\*|[A-Za-z0-9][A-Za-z0-9._-]*/(\\*|[A-Za-z0-9._-]+)");

    private final String text;

    private RepositoryPattern(String text) {
        this.text = text;
    }

    public static RepositoryPattern parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (!VALID.matcher(t).matches()) {
            throw new IllegalArgumentException("invalid repository pattern '" + text + "': expected OWNER/NAME, OWNER/* or *");
        }
        return new RepositoryPattern(t);
    }

    public boolean matches(SourceRepository repository) {
        String name = repository.toString().toLowerCase(Locale.ROOT);
        if (text.equals("*")) {
            return true;
        }
        if (text.endsWith("/*")) {
            return name.startsWith(text.substring(0, text.length() - 1));
        }
        return name.equals(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
