package io.imagefarm.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.SourceRepository;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The table of who may do what, case by case: plain calls, no framework. */
class AccessPolicyTest {

    static final SourceRepository WIDGET = SourceRepository.parse("acme/widget");
    static final String SHA = "a".repeat(40);
    final AccessPolicy policy = new AccessPolicy(Map.of("Acme/Widget", new ClaimConditions(
            List.of(new Glob("refs/heads/main"), new Glob("refs/tags/v*")),
            List.of(new Glob("acme/widget/.github/workflows/*.yml@refs/heads/main")))));

    static Caller job(String repository, String sha, String ref) {
        return Caller.oidc("repo:" + repository, Map.of("repository", repository, "sha", sha, "ref", ref,
                "job_workflow_ref", repository.toLowerCase() + "/.github/workflows/ci.yml@refs/heads/main"));
    }

    @Test
    void aJobOfTheRepositoryMayResolveItsOwnCommitWhateverTheCaseOfTheName() {
        assertThatCode(() -> policy.authorize(job("ACME/widget", SHA, "refs/heads/main"), Action.RESOLVE, WIDGET, Optional.of(SHA.toUpperCase())))
                .doesNotThrowAnyException();
    }

    @Test
    void aJobOfAnotherRepositoryIsDenied() {
        assertThatThrownBy(() -> policy.authorize(job("evil/widget", SHA, "refs/heads/main"), Action.RESOLVE, WIDGET, Optional.of(SHA)))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("issued to evil/widget");
    }

    @Test
    void aCommitOtherThanTheTokensShaIsDenied() {
        assertThatThrownBy(() -> policy.authorize(job("acme/widget", SHA, "refs/heads/main"), Action.RESOLVE, WIDGET, Optional.of("b".repeat(40))))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("issued for commit");
    }

    @Test
    void aRefOutsideTheRepositorysConditionsIsDeniedAndATagMatchingTheGlobIsAllowed() {
        assertThatThrownBy(() -> policy.authorize(job("acme/widget", SHA, "refs/heads/feature"), Action.RESOLVE, WIDGET, Optional.empty()))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("ref 'refs/heads/feature'");
        assertThatCode(() -> policy.authorize(job("acme/widget", SHA, "refs/tags/v1.2"), Action.RESOLVE, WIDGET, Optional.empty()))
                .doesNotThrowAnyException();
    }

    @Test
    void aWorkflowOutsideTheConditionsIsDenied() {
        Caller fork = Caller.oidc("x", Map.of("repository", "acme/widget", "ref", "refs/heads/main",
                "job_workflow_ref", "other/repo/.github/workflows/x.yml@refs/heads/main"));
        assertThatThrownBy(() -> policy.authorize(fork, Action.RESOLVE, WIDGET, Optional.empty()))
                .hasMessageContaining("job_workflow_ref");
    }

    @Test
    void aTokenWithoutARepositoryClaimIsDenied() {
        assertThatThrownBy(() -> policy.authorize(Caller.oidc("x", Map.of()), Action.READ, WIDGET, Optional.empty()))
                .hasMessageContaining("no repository claim");
    }

    @Test
    void aCiCallerMayNotStartAJanitorRunOrRetryButMayReadTheReport() {
        Caller ci = job("acme/widget", SHA, "refs/heads/main");
        assertThatThrownBy(() -> policy.authorize(ci, Action.JANITOR_RUN, null, Optional.empty())).hasMessageContaining("role admin");
        assertThatThrownBy(() -> policy.authorize(ci, Action.RETRY, WIDGET, Optional.empty())).hasMessageContaining("role admin");
        assertThatCode(() -> policy.authorize(ci, Action.JANITOR_READ, null, Optional.empty())).doesNotThrowAnyException();
    }

    @Test
    void anApiTokenActsOnlyWithinItsPatterns() {
        Caller jenkins = Caller.apiToken(ApiToken.of("jenkins", "0".repeat(64), Role.CI, List.of(RepositoryPattern.parse("acme/*"))));
        assertThatCode(() -> policy.authorize(jenkins, Action.RESOLVE, WIDGET, Optional.of(SHA))).doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.authorize(jenkins, Action.RESOLVE, SourceRepository.parse("octo/app"), Optional.of(SHA)))
                .hasMessageContaining("may act on [acme/*], not on octo/app");
    }

    @Test
    void anAdminMayDoEverything() {
        Caller admin = Caller.apiToken(ApiToken.of("ops", "0".repeat(64), Role.ADMIN, List.of()));
        for (Action action : Action.values()) {
            assertThatCode(() -> policy.authorize(admin, action, SourceRepository.parse("octo/app"), Optional.empty())).doesNotThrowAnyException();
        }
    }

    @Test
    void apiTokensMatchByDigestAndAnUnknownTokenMatchesNothing() {
        String digest = HexFormat.of().formatHex(ApiTokens.sha256("s3cret-token"));
        ApiTokens tokens = new ApiTokens(List.of(ApiToken.of("jenkins", digest, Role.CI, List.of(RepositoryPattern.parse("*")))));

        assertThat(tokens.match("s3cret-token")).map(ApiToken::name).contains("jenkins");
        assertThat(tokens.match("s3cret-tokeN")).isEmpty();
        assertThat(ApiToken.of("jenkins", digest, Role.CI, List.of()).toString()).doesNotContain(digest);
    }

    @Test
    void badPatternsAndDigestsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> RepositoryPattern.parse("acme/../x*")).hasMessageContaining("invalid repository pattern");
        assertThatThrownBy(() -> ApiToken.of("jenkins", "abc", Role.CI, List.of())).hasMessageContaining("jenkins");
        assertThatThrownBy(() -> Role.parse("root")).hasMessageContaining("unknown role 'root'");
    }
}
