package io.imagefarm.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.testsupport.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Bearer tokens are reused per registry and scope until shortly before they expire, and the cache does not grow with dead ones. */
class TokenCacheTest {

    final SettableClock clock = new SettableClock(Instant.parse("2026-12-05T12:00:00Z"));
    final TokenCache cache = new TokenCache(clock);

    @Test
    void aTokenServesItsRegistryAndScopeOnly() {
        cache.put("ghcr.io", "repository:acme/a:pull", "t1", 300);

        assertThat(cache.get("ghcr.io", "repository:acme/a:pull")).contains("t1");
        assertThat(cache.get("ghcr.io", "repository:acme/a:pull,push")).isEmpty();
        assertThat(cache.get("ghcr.io", "repository:acme/b:pull")).isEmpty();
        assertThat(cache.get("quay.io", "repository:acme/a:pull")).isEmpty();
    }

    @Test
    void aTokenIsDroppedTenSecondsBeforeItExpires() {
        cache.put("ghcr.io", "s", "t1", 300);

        clock.advance(Duration.ofSeconds(289));
        assertThat(cache.get("ghcr.io", "s")).contains("t1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("ghcr.io", "s")).isEmpty();
    }

    @Test
    void aTokenWithoutALifetimeIsKeptForTheSpecsMinimumOfSixtySeconds() {
        cache.put("ghcr.io", "s", "t1", null);

        clock.advance(Duration.ofSeconds(49));
        assertThat(cache.get("ghcr.io", "s")).contains("t1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("ghcr.io", "s")).isEmpty();
    }

    @Test
    void aNewerTokenReplacesTheOldOneAndExpiredTokensAreForgottenOnTheNextPut() {
        cache.put("ghcr.io", "a", "t1", 60);
        cache.put("ghcr.io", "b", "t2", 600);
        cache.put("ghcr.io", "b", "t3", 600);
        assertThat(cache.get("ghcr.io", "b")).contains("t3");
        assertThat(cache.size()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(120));
        cache.put("ghcr.io", "c", "t4", 600);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("ghcr.io", "b")).contains("t3");
    }
}
