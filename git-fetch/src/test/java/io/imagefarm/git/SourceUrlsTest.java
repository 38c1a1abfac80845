package io.imagefarm.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The URL pattern language the hasher and the workers share, and how URLs look in messages. */
class SourceUrlsTest {

    private static final String SECRET = "PLANTED-SECRET";

    @Test
    void theRepositoryPlaceholderIsLiteralNotAPattern() {
        // a repository name's '.' must not match any character
        assertThat(SourceUrls.matches("https://h/{repository}.git", "acme/w.dget", "https://h/acme/wXdget.git")).isFalse();
        assertThat(SourceUrls.matches("https://h/{repository}.git", "acme/w.dget", "https://h/acme/w.dget.git")).isTrue();
    }

    @Test
    void oneStarStaysWithinAPathSegment() {
        assertThat(SourceUrls.matches("https://git.example.com/*/{repository}.git", "acme/widget",
                "https://git.example.com/mirror/acme/widget.git")).isTrue();
        assertThat(SourceUrls.matches("https://git.example.com/*/{repository}.git", "acme/widget",
                "https://git.example.com/a/b/acme/widget.git")).isFalse();
        assertThat(SourceUrls.matches("http://127.0.0.1:*/{repository}.git", "acme/widget",
                "http://127.0.0.1:8080/acme/widget.git")).isTrue();
    }

    @Test
    void twoStarsCrossPathSegments() {
        assertThat(SourceUrls.matches("file:///srv/git/**", "acme/widget", "file:///srv/git/a/b/c/")).isTrue();
        assertThat(SourceUrls.matches("file:///srv/git/**", "acme/widget", "file:///srv/other/a/")).isFalse();
        assertThat(SourceUrls.matches("https://git.example.com/**/{repository}.git", "acme/widget",
                "https://git.example.com/a/b/acme/widget.git")).isTrue();
    }

    @Test
    void redactionHidesUserInfoAndKeepsTheRest() {
        assertThat(SourceUrls.redact("https://user:" + SECRET + "@github.com/acme/widget.git"))
                .isEqualTo("https://***@github.com/acme/widget.git");
        assertThat(SourceUrls.redact("https://" + SECRET + "@github.com/acme/widget.git"))
                .isEqualTo("https://***@github.com/acme/widget.git");
        assertThat(SourceUrls.redact("https://user:p%40" + SECRET + "@github.com/x.git"))
                .isEqualTo("https://***@github.com/x.git");
        assertThat(SourceUrls.redact("https://user:p@ss" + SECRET + "@github.com/x.git"))
                .isEqualTo("https://***@github.com/x.git");
        // not a URL at all: everything up to the last '@' goes
        assertThat(SourceUrls.redact("https://user:" + SECRET + " x@github.com/x.git")).isEqualTo("https://***@github.com/x.git");
        assertThat(SourceUrls.redact("user:" + SECRET + "@github.com:acme/x.git")).isEqualTo("***@github.com:acme/x.git");
    }

    @Test
    void redactionLeavesUrlsWithoutUserInfoAlone() {
        assertThat(SourceUrls.redact("https://github.com/acme/widget.git")).isEqualTo("https://github.com/acme/widget.git");
        assertThat(SourceUrls.redact("https://host/npm/@scope/pkg.git")).isEqualTo("https://host/npm/@scope/pkg.git");
        assertThat(SourceUrls.redact("file:///tmp/repo/")).isEqualTo("file:///tmp/repo/");
        assertThat(SourceUrls.redact(null)).isNull();
    }
}
