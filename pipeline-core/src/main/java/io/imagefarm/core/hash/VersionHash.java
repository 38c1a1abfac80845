package io.imagefarm.core.hash;

import java.util.regex.Pattern;

/** The 16 lower-case hex characters that tag a builder image: {@code builder-<value>}. */
public record VersionHash(String value) {

    private static final Pattern HEX16 = Pattern.compile("[0-9a-f]{16}");

    public VersionHash {
        if (value == null || !HEX16.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid version hash '" + value + "': expected 16 lower-case hex characters");
        }
    }

    public static boolean isValid(String text) {
        return text != null && HEX16.matcher(text).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
