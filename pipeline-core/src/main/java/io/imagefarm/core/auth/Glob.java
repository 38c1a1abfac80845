package io.imagefarm.core.auth;

import java.util.regex.Pattern;

/** A claim condition like {@code refs/heads/*} or {@code acme/ci/.github/workflows/*.yml@refs/heads/main}: {@code *} is any text. */
public record Glob(String text) {

    public Glob {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty claim pattern");
        }
    }

    public boolean matches(String value) {
        if (value == null) {
            return false;
        }
        StringBuilder regex = new StringBuilder();
        for (String part : text.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.matches(regex.toString(), value);
    }
}
