package io.imagefarm.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens by registry and scope, each until a little before it expires. A token endpoint that does not say
 * how long a token lasts is taken at {@value #DEFAULT_SECONDS} s, the distribution spec's minimum. Expired tokens
 * are dropped whenever one is added, so the cache holds no more than the scopes used within a token's lifetime.
 * Thread-safe.
 */
final class TokenCache {

    /** A token is not used in its last seconds: it must not expire on the way to the registry. */
    static final Duration SKEW = Duration.ofSeconds(10);
    static final int DEFAULT_SECONDS = 60;

    private record Cached(String value, Instant expiresAt) {
    }

    private final Clock clock;
    private final Map<String, Cached> tokens = new ConcurrentHashMap<>();

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    /** The token for this registry and scope, while it is still good. */
    Optional<String> get(String registry, String scope) {
        Cached token = tokens.get(key(registry, scope));
        return token != null && clock.instant().isBefore(token.expiresAt()) ? Optional.of(token.value()) : Optional.empty();
    }

    /** Keeps a token for {@code expiresInSeconds} less {@link #SKEW}; null: {@value #DEFAULT_SECONDS} s. */
    void put(String registry, String scope, String token, Integer expiresInSeconds) {
        Instant now = clock.instant();
        tokens.values().removeIf(t -> !now.isBefore(t.expiresAt()));
        int seconds = expiresInSeconds != null ? expiresInSeconds : DEFAULT_SECONDS;
        tokens.put(key(registry, scope), new Cached(token, now.plusSeconds(seconds).minus(SKEW)));
    }

    int size() {
        return tokens.size();
    }

    private static String key(String registry, String scope) {
        return registry + " " + scope;
    }
}
