package io.imagefarm.auth;

/** The token of an {@code Authorization: Bearer ...} header, or null. */
final class BearerTokens {

    private BearerTokens() {
    }

    static String from(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
