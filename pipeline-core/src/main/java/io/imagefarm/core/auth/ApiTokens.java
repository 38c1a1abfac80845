package io.imagefarm.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/** The configured static tokens; a presented token is matched by digest, in constant time. */
public final class ApiTokens {

    private final List<ApiToken> tokens;

    public ApiTokens(List<ApiToken> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    public Optional<ApiToken> match(String presented) {
        byte[] digest = sha256(presented);
        ApiToken found = null;
        // Every digest is compared, so the time taken says nothing about which token came close.
        for (ApiToken token : tokens) {
            if (MessageDigest.isEqual(digest, token.sha256()) && found == null) {
                found = token;
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isEmpty() {
        return tokens.isEmpty();
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
