package io.imagefarm.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.auth.AccessDeniedException;
import io.imagefarm.core.auth.AccessPolicy;
import io.imagefarm.core.auth.Action;
import io.imagefarm.core.auth.ApiToken;
import io.imagefarm.core.auth.ApiTokens;
import io.imagefarm.core.auth.Caller;
import io.imagefarm.core.auth.RepositoryPattern;
import io.imagefarm.core.auth.Role;
import io.imagefarm.core.image.SourceRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** imagefarm.auth.api-tokens as configured, turned into the tokens the mechanism matches: plain calls, no Quarkus. */
class AuthSettingsTest {

    static final String TOKEN = "jenkins-plaintext-token";
    static final String DIGEST = sha256Hex(TOKEN);

    record Token(Optional<String> sha256, Optional<Path> sha256File, String role, Optional<List<String>> repositories)
            implements AuthConfig.ApiTokenConfig {

        static Token inline(String digest, String role, String... repositories) {
            return new Token(Optional.of(digest), Optional.empty(), role, Optional.of(List.of(repositories)));
        }
    }

    record Config(Map<String, AuthConfig.ApiTokenConfig> apiTokens, Map<String, AuthConfig.OidcConditions> oidcRepositories)
            implements AuthConfig {
    }

    record Conditions(Optional<List<String>> ref, Optional<List<String>> jobWorkflowRef) implements AuthConfig.OidcConditions {
    }

    static Config tokens(Map<String, AuthConfig.ApiTokenConfig> tokens) {
        return new Config(tokens, Map.of());
    }

    static Config token(String name, Token token) {
        return tokens(Map.of(name, token));
    }

    static String sha256Hex(String text) {
        return HexFormat.of().formatHex(ApiTokens.sha256(text));
    }

    static List<RepositoryPattern> repositoriesOf(ApiTokens tokens, String presented) {
        return tokens.match(presented).orElseThrow().repositories();
    }

    static boolean mayActOn(List<RepositoryPattern> patterns, String repository) {
        return patterns.stream().anyMatch(p -> p.matches(SourceRepository.parse(repository)));
    }

    @Test
    void aTokenConfiguredByItsDigestIsMatchedByItsPlaintextAndNotByAnother() {
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins", Token.inline(DIGEST, "ci", "acme/*")));

        assertThat(tokens.match(TOKEN)).get().satisfies(t -> {
            assertThat(t.name()).isEqualTo("jenkins");
            assertThat(t.role()).isEqualTo(Role.CI);
        });
        assertThat(tokens.match("another-token")).isEmpty();
        assertThat(tokens.match(TOKEN + " ")).isEmpty();
        assertThat(tokens.match(DIGEST)).as("the digest itself is not a credential").isEmpty();
    }

    @Test
    void aDigestAsSha256sumPrintsItWithUpperCaseOrSurroundingWhitespaceIsAccepted() {
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins", Token.inline("  " + DIGEST.toUpperCase() + "\n", "ci")));

        assertThat(tokens.match(TOKEN)).isPresent();
    }

    @Test
    void aTokenConfiguredByADigestFileIsMatchedByItsPlaintextAndNotByAnother(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("jenkins_token_sha256"), DIGEST + "\n");
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.empty(), Optional.of(file), "admin", Optional.empty())));

        assertThat(tokens.match(TOKEN)).get().extracting(ApiToken::role).isEqualTo(Role.ADMIN);
        assertThat(tokens.match("another-token")).isEmpty();
    }

    @Test
    void whenBothTheDigestAndItsFileAreGivenTheFileWinsAsDocumented(@TempDir Path dir) throws IOException {
        String fileToken = "the-mounted-token";
        Path file = Files.writeString(dir.resolve("sha256"), sha256Hex(fileToken));
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.of(DIGEST), Optional.of(file), "ci", Optional.empty())));

        assertThat(tokens.match(fileToken)).isPresent();
        assertThat(tokens.match(TOKEN)).as("a stray inline digest does not override the mounted secret").isEmpty();
    }

    @Test
    void eachOfSeveralTokensIsMatchedToItsOwnNameAndRole() {
        Map<String, AuthConfig.ApiTokenConfig> configured = new LinkedHashMap<>();
        configured.put("jenkins", Token.inline(DIGEST, "ci", "acme/widget"));
        configured.put("ops", Token.inline(sha256Hex("ops-token"), "admin"));
        ApiTokens tokens = AuthSettings.apiTokens(tokens(configured));

        assertThat(tokens.match(TOKEN)).get().extracting(ApiToken::name, ApiToken::role).containsExactly("jenkins", Role.CI);
        assertThat(tokens.match("ops-token")).get().extracting(ApiToken::name, ApiToken::role).containsExactly("ops", Role.ADMIN);
    }

    @Test
    void noConfiguredTokensMatchNothing() {
        ApiTokens tokens = AuthSettings.apiTokens(tokens(Map.of()));

        assertThat(tokens.isEmpty()).isTrue();
        assertThat(tokens.match(TOKEN)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ci", "CI", " admin ", "Admin"})
    void theRoleIsReadCaseInsensitively(String role) {
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins", Token.inline(DIGEST, role)));

        assertThat(tokens.match(TOKEN)).get().extracting(ApiToken::role).isEqualTo(Role.parse(role.strip()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0123456789abcdef",                                                     // too short
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",      // 63 hex characters
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",    // 65 hex characters
        "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",     // not hex
        "0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef",    // a space inside
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "jenkins-plaintext-token",                                              // the token, not its digest
    })
    void aMalformedDigestIsRefusedNamingTheKeyWithoutEchoingTheDigest(String digest) {
        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins", Token.inline(digest, "ci"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\"")
                .hasMessageContaining("64 hex characters")
                .message().doesNotContain(digest).doesNotContain(digest.substring(0, 12));
    }

    @Test
    void aMalformedDigestInTheFileIsRefusedNamingTheKeyWithoutEchoingTheFilesContent(@TempDir Path dir) throws IOException {
        String content = "not-a-digest-but-perhaps-the-token-itself";
        Path file = Files.writeString(dir.resolve("sha256"), content);

        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.empty(), Optional.of(file), "ci", Optional.empty()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\"")
                .message().doesNotContain(content);
    }

    @Test
    void aTokenWithNeitherADigestNorADigestFileIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.empty(), Optional.empty(), "ci", Optional.empty()))))
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\".sha256-file")
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\".sha256")
                .hasMessageContaining("not set");
    }

    @Test
    void aBlankInlineDigestCountsAsUnset() {
        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins", Token.inline("   ", "ci"))))
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\".sha256")
                .hasMessageContaining("not set");
    }

    @Test
    void anEmptyDigestFileIsRefusedEvenWhenAnInlineDigestIsGiven(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("sha256"), "\n");

        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.of(DIGEST), Optional.of(file), "ci", Optional.empty()))))
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\".sha256")
                .hasMessageContaining("is empty")
                .message().doesNotContain(DIGEST);
    }

    @Test
    void aMissingDigestFileIsRefusedNamingTheKeyAndTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("absent");

        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.empty(), Optional.of(missing), "ci", Optional.empty()))))
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\".sha256")
                .hasMessageContaining(missing.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "owner", "", "ci,admin"})
    void anUnknownRoleIsRefusedNamingTheKeyWithoutEchoingTheDigest(String role) {
        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins", Token.inline(DIGEST, role))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\"")
                .hasMessageContaining("expected ci or admin")
                .message().doesNotContain(DIGEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme", "acme/", "/widget", "*/widget", "acme/widget/extra", "acme/wid*", "a*/b", "**", "",
        "acme widget", "https://github.com/acme/widget", "-acme/widget"})
    void anInvalidRepositoryPatternIsRefusedNamingTheKeyWithoutEchoingTheDigest(String pattern) {
        assertThatThrownBy(() -> AuthSettings.apiTokens(token("jenkins", Token.inline(DIGEST, "ci", "acme/ok", pattern))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imagefarm.auth.api-tokens.\"jenkins\"")
                .hasMessageContaining("expected OWNER/NAME, OWNER/* or *")
                .message().doesNotContain(DIGEST);
    }

    @Test
    void theMessageNamesTheTokenEvenWhenItsNameContainsTheSuffixOfTheKey() {
        assertThatThrownBy(() -> AuthSettings.apiTokens(token("ci.sha256", Token.inline("bad", "ci"))))
                .hasMessageContaining("imagefarm.auth.api-tokens.\"ci.sha256\"");
    }

    @Test
    void anOwnerSlashNamePatternCoversExactlyThatRepositoryInAnyCase() {
        List<RepositoryPattern> patterns = repositoriesOf(AuthSettings.apiTokens(token("jenkins",
                Token.inline(DIGEST, "ci", "Acme/Widget"))), TOKEN);

        assertThat(mayActOn(patterns, "acme/widget")).isTrue();
        assertThat(mayActOn(patterns, "ACME/WIDGET")).isTrue();
        assertThat(mayActOn(patterns, "acme/widget2")).isFalse();
        assertThat(mayActOn(patterns, "acme/widge")).isFalse();
        assertThat(mayActOn(patterns, "other/widget")).isFalse();
    }

    @Test
    void anOwnerSlashStarPatternCoversEveryRepositoryOfThatOwnerOnly() {
        List<RepositoryPattern> patterns = repositoriesOf(AuthSettings.apiTokens(token("jenkins",
                Token.inline(DIGEST, "ci", "acme/*"))), TOKEN);

        assertThat(mayActOn(patterns, "acme/widget")).isTrue();
        assertThat(mayActOn(patterns, "ACME/gadget")).isTrue();
        assertThat(mayActOn(patterns, "acmeco/widget")).as("an owner whose name starts with the pattern's").isFalse();
        assertThat(mayActOn(patterns, "acm/widget")).isFalse();
        assertThat(mayActOn(patterns, "other/acme")).isFalse();
    }

    @Test
    void aStarPatternCoversEveryRepository() {
        List<RepositoryPattern> patterns = repositoriesOf(AuthSettings.apiTokens(token("jenkins",
                Token.inline(DIGEST, "ci", " * "))), TOKEN);

        assertThat(mayActOn(patterns, "acme/widget")).isTrue();
        assertThat(mayActOn(patterns, "anyone/anything")).isTrue();
    }

    @Test
    void aCiTokenWithoutRepositoriesActsOnNoRepository() {
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins",
                new Token(Optional.of(DIGEST), Optional.empty(), "ci", Optional.empty())));
        Caller caller = Caller.apiToken(tokens.match(TOKEN).orElseThrow());

        assertThat(caller.repositories()).isEmpty();
        assertThatThrownBy(() -> new AccessPolicy(Map.of())
                .authorize(caller, Action.RESOLVE, SourceRepository.parse("acme/widget"), Optional.empty()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("jenkins");
    }

    @Test
    void aConfiguredTokensPatternsReachTheAccessPolicy() {
        ApiTokens tokens = AuthSettings.apiTokens(token("jenkins", Token.inline(DIGEST, "ci", "acme/*")));
        Caller caller = Caller.apiToken(tokens.match(TOKEN).orElseThrow());
        AccessPolicy policy = new AccessPolicy(Map.of());

        policy.authorize(caller, Action.RESOLVE, SourceRepository.parse("acme/widget"), Optional.empty());
        assertThatThrownBy(() -> policy.authorize(caller, Action.RESOLVE, SourceRepository.parse("evil/widget"), Optional.empty()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("not on evil/widget");
        assertThatThrownBy(() -> policy.authorize(caller, Action.RETRY, SourceRepository.parse("acme/widget"), Optional.empty()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("needs the role admin");
    }

    @Test
    void oidcConditionsAreKeptPerRepositoryWhateverTheCaseOfItsName() {
        AccessPolicy policy = AuthSettings.accessPolicy(new Config(Map.of(), Map.of("Acme/Widget",
                new Conditions(Optional.of(List.of("refs/heads/main", "refs/tags/v*")), Optional.empty()))));
        SourceRepository widget = SourceRepository.parse("acme/widget");

        policy.authorize(Caller.oidc("job", Map.of("repository", "acme/widget", "ref", "refs/tags/v1.0")),
                Action.RESOLVE, widget, Optional.empty());
        assertThatThrownBy(() -> policy.authorize(Caller.oidc("job", Map.of("repository", "acme/widget", "ref", "refs/heads/dev")),
                Action.RESOLVE, widget, Optional.empty()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("ref 'refs/heads/dev'");
    }
}
