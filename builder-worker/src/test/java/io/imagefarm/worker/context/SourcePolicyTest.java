package io.imagefarm.worker.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.FailureKind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which source URLs the worker fetches, and how URLs look in messages. */
class SourcePolicyTest {

    private static final String SECRET = "PLANTED-SECRET";

    private final SourcePolicy githubOnly = new SourcePolicy(Set.of("https"), List.of("https://github.com/{repository}.git"));

    @Test
    void theDefaultPatternAllowsTheEventsOwnGithubRepository() {
        assertThatCode(() -> githubOnly.check("https://github.com/acme/widget.git", "acme/widget")).doesNotThrowAnyException();
    }

    @Test
    void theDefaultPatternRefusesAnotherRepositoryOrHost() {
        assertThatThrownBy(() -> githubOnly.check("https://github.com/evil/widget.git", "acme/widget"))
                .isInstanceOfSatisfying(InvalidContextException.class, e -> {
                    assertThat(e.kind()).isEqualTo(FailureKind.INVALID_CONTEXT);
                    assertThat(e.kind().isTransient()).isFalse();
                })
                .hasMessageContaining("is not allowed for repository acme/widget")
                .hasMessageContaining("imagefarm.worker.context.allowed-url-patterns");
        assertThatThrownBy(() -> githubOnly.check("https://github.com.evil.example/acme/widget.git", "acme/widget"))
                .isInstanceOf(InvalidContextException.class);
        assertThatThrownBy(() -> githubOnly.check("https://github.com/acme/widget.git/extra", "acme/widget"))
                .isInstanceOf(InvalidContextException.class);
    }

    @Test
    void schemeAndHostCompareCaseInsensitivelyThePathExactly() {
        assertThatCode(() -> githubOnly.check("HTTPS://GitHub.com/acme/widget.git", "acme/widget")).doesNotThrowAnyException();
        assertThatThrownBy(() -> githubOnly.check("https://github.com/ACME/widget.git", "acme/widget"))
                .isInstanceOf(InvalidContextException.class);
    }

    @Test
    void theRepositoryPlaceholderIsLiteralNotAPattern() {
        // a repository name's '.' must not match any character
        assertThat(SourcePolicy.matches("https://h/{repository}.git", "acme/w.dget", "https://h/acme/wXdget.git")).isFalse();
        assertThat(SourcePolicy.matches("https://h/{repository}.git", "acme/w.dget", "https://h/acme/w.dget.git")).isTrue();
    }

    @Test
    void oneStarStaysWithinAPathSegment() {
        assertThat(SourcePolicy.matches("https://git.example.com/*/{repository}.git", "acme/widget",
                "https://git.example.com/mirror/acme/widget.git")).isTrue();
        assertThat(SourcePolicy.matches("https://git.example.com/*/{repository}.git", "acme/widget",
                "https://git.example.com/a/b/acme/widget.git")).isFalse();
        assertThat(SourcePolicy.matches("http://127.0.0.1:*/{repository}.git", "acme/widget",
                "http://127.0.0.1:8080/acme/widget.git")).isTrue();
    }

    @Test
    void twoStarsCrossPathSegments() {
        assertThat(SourcePolicy.matches("file:///srv/git/**", "acme/widget", "file:///srv/git/a/b/c/")).isTrue();
        assertThat(SourcePolicy.matches("file:///srv/git/**", "acme/widget", "file:///srv/other/a/")).isFalse();
        assertThat(SourcePolicy.matches("https://git.example.com/**/{repository}.git", "acme/widget",
                "https://git.example.com/a/b/acme/widget.git")).isTrue();
    }

    @Test
    void anAllowedPatternDoesNotLiftTheSchemeCheck() {
        SourcePolicy policy = new SourcePolicy(Set.of("https"), List.of("file:///**"));
        assertThatThrownBy(() -> policy.check("file:///tmp/repo/", "acme/widget"))
                .isInstanceOf(InvalidContextException.class).hasMessageContaining("scheme file is not allowed");
    }

    @Test
    void dotSegmentsEncodedSeparatorsQueriesAndFragmentsAreRefused() {
        SourcePolicy files = new SourcePolicy(Set.of("file", "https"), List.of("file:///srv/git/**", "https://github.com/**"));
        for (String url : List.of("file:///srv/git/../../etc/", "file:///srv/git/./x/", "file:///srv/git/%2e%2e/etc/",
                "file:///srv/git/a%2Fb/", "https://github.com/acme/widget.git?x=1", "https://github.com/acme/widget.git#f")) {
            assertThatThrownBy(() -> files.check(url, "acme/widget")).as(url).isInstanceOf(InvalidContextException.class);
        }
    }

    @Test
    void aUrlWithUserInfoIsRefusedOutrightAndItsSecretIsNotInTheMessage() {
        SourcePolicy anything = new SourcePolicy(Set.of("https"), List.of("https://**"));
        for (String url : List.of("https://user:" + SECRET + "@github.com/acme/widget.git",
                "https://" + SECRET + "@github.com/acme/widget.git",
                "https://user:" + SECRET + "@host_with_underscore/acme/widget.git",
                "https://user:p@ss" + SECRET + "@github.com/acme/widget.git")) {
            assertThatThrownBy(() -> anything.check(url, "acme/widget")).as(url)
                    .isInstanceOf(InvalidContextException.class)
                    .hasMessageContaining("user info")
                    .hasMessageNotContaining(SECRET);
        }
    }

    @Test
    void anUnparseableUrlIsRefusedWithoutEchoingItsSecret() {
        assertThatThrownBy(() -> githubOnly.check("https://user:" + SECRET + " x@github.com/acme/widget.git", "acme/widget"))
                .isInstanceOf(InvalidContextException.class)
                .hasMessageContaining("is not a URL")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aMissingSourceUrlOrAnInvalidRepositoryIsRefused() {
        assertThatThrownBy(() -> githubOnly.check(null, "acme/widget")).isInstanceOf(InvalidContextException.class)
                .hasMessageContaining("no sourceUrl");
        assertThatThrownBy(() -> githubOnly.check("https://github.com/a/b/c.git", "a/b/c"))
                .isInstanceOf(InvalidContextException.class).hasMessageContaining("repository");
    }

    @Test
    void redactionHidesUserInfoAndKeepsTheRest() {
        assertThat(SourcePolicy.redact("https://user:" + SECRET + "@github.com/acme/widget.git"))
                .isEqualTo("https://***@github.com/acme/widget.git");
        assertThat(SourcePolicy.redact("https://" + SECRET + "@github.com/acme/widget.git"))
                .isEqualTo("https://***@github.com/acme/widget.git");
        assertThat(SourcePolicy.redact("https://user:p%40" + SECRET + "@github.com/x.git"))
                .isEqualTo("https://***@github.com/x.git");
        assertThat(SourcePolicy.redact("https://user:p@ss" + SECRET + "@github.com/x.git"))
                .isEqualTo("https://***@github.com/x.git");
        // not a URL at all: everything up to the last '@' goes
        assertThat(SourcePolicy.redact("https://user:" + SECRET + " x@github.com/x.git")).isEqualTo("https://***@github.com/x.git");
        assertThat(SourcePolicy.redact("user:" + SECRET + "@github.com:acme/x.git")).isEqualTo("***@github.com:acme/x.git");
    }

    @Test
    void redactionLeavesUrlsWithoutUserInfoAlone() {
        assertThat(SourcePolicy.redact("https://github.com/acme/widget.git")).isEqualTo("https://github.com/acme/widget.git");
        assertThat(SourcePolicy.redact("https://host/npm/@scope/pkg.git")).isEqualTo("https://host/npm/@scope/pkg.git");
        assertThat(SourcePolicy.redact("file:///tmp/repo/")).isEqualTo("file:///tmp/repo/");
        assertThat(SourcePolicy.redact(null)).isNull();
    }

    @Test
    void aPolicyWithoutPatternsOrWithUserInfoInAPatternIsRefusedAtStartup() {
        assertThatThrownBy(() -> new SourcePolicy(Set.of("https"), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SourcePolicy(Set.of("https"), List.of("github.com/{repository}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme");
        assertThatThrownBy(() -> new SourcePolicy(Set.of("https"), List.of("https://u:" + SECRET + "@github.com/**")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(SECRET);
    }
}
