package io.imagefarm.git;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link ShallowFetcher} talks to git remotes (the hasher reading hash inputs, a worker fetching a build context).
 *
 * @param token          for private repositories: sent as HTTP basic auth credentials (user
 *                       {@code x-access-token}, as GitHub expects), never in the URL
 * @param connectTimeout connecting to a remote
 * @param readTimeout    each read from a remote (a silent remote fails the fetch, a slow but moving one does not)
 */
public record GitSettings(Optional<String> token, Duration connectTimeout, Duration readTimeout) {

    /** The user name GitHub (and most forges) take with a token as the password. */
    public static final String TOKEN_USER = "x-access-token";

    public GitSettings {
        Objects.requireNonNull(token, "token");
        requirePositive("connect timeout", connectTimeout);
        requirePositive("read timeout", readTimeout);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("git " + what + " must be positive: " + d);
        }
    }

    @Override
    public String toString() {
        return "GitSettings[token=" + (token.isPresent() ? "set" : "none") + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + "]";
    }
}
