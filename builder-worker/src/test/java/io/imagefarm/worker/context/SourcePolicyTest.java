package io.imagefarm.worker.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.testsupport.HostileSourceUrls;
import java.util.HashSet;
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
    void theWorkerRefusesExactlyTheHostileUrlsTheHasherRefusesWithoutEchoingACredential() {
        SourcePolicy shared = new SourcePolicy(HostileSourceUrls.SCHEMES, HostileSourceUrls.PATTERNS);
        Set<String> refused = new HashSet<>();
        for (HostileSourceUrls.Case c : HostileSourceUrls.CASES) {
            try {
                shared.check(c.url(), HostileSourceUrls.REPOSITORY);
            } catch (InvalidContextException e) {
                refused.add(c.url());
                assertThat(e.getMessage()).as(c.url()).doesNotContain(HostileSourceUrls.SECRET);
            }
        }
        assertThat(refused).isEqualTo(HostileSourceUrls.refused());
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
