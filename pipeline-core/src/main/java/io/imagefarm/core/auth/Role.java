package io.imagefarm.core.auth;

import java.util.Locale;

/** What a caller may do, whatever the credential: {@code ci} works for its repositories, {@code admin} everything. */
public enum Role {
    CI,
    ADMIN;

    /** Role names as {@code @RolesAllowed} needs them: compile-time constants. */
    public static final class Names {
        public static final String CI = "ci";
        public static final String ADMIN = "admin";

        private Names() {
        }
    }

    public String roleName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.roleName().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "': expected ci or admin");
    }
}
