package io.imagefarm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthChallengeTest {

    @Test
    void aBearerChallengeGivesItsRealmServiceAndScope() {
        AuthChallenge c = AuthChallenge.parse(
                "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:acme/widget:pull\"").orElseThrow();

        assertThat(c.isBearer()).isTrue();
        assertThat(c.realm("ghcr.io")).isEqualTo("https://ghcr.io/token");
        assertThat(c.service()).contains("ghcr.io");
        assertThat(c.scope("repository:other:pull")).as("the registry's scope wins").isEqualTo("repository:acme/widget:pull");
    }

    @Test
    void schemeIsCaseInsensitiveAndUnquotedParametersAreRead() {
        AuthChallenge c = AuthChallenge.parse("  basic realm=test, charset=UTF-8").orElseThrow();

        assertThat(c.isBasic()).isTrue();
        assertThat(c.params()).containsEntry("realm", "test").containsEntry("charset", "UTF-8");
        assertThat(c.scope("repository:a:pull")).isEqualTo("repository:a:pull");
        assertThat(c.service()).isEmpty();
    }

    @Test
    void aRepeatedParameterKeepsItsFirstValue() {
        assertThat(AuthChallenge.parse("Bearer realm=\"https://a.test/t\",realm=\"https://b.test/t\"").orElseThrow().realm("r"))
                .isEqualTo("https://a.test/t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "/token", "ftp://auth.test/token", "https://user:pw@auth.test/token",
            "https://", "not a url", "javascript:alert(1)"})
    void aRealmThatIsNotAnHttpUrlIsRefusedBeforeAnythingIsSentToIt(String realm) {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"" + realm + "\"").orElseThrow();

        assertThatThrownBy(() -> c.realm("registry.test"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isAuthFailure()).isTrue())
                .hasMessageContaining("not an http(s) URL");
    }

    @Test
    void aMissingHeaderIsNoChallengeAndABearerWithoutRealmIsTheRegistrysAuthError() {
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse("  ")).isEmpty();
        AuthChallenge c = AuthChallenge.parse("Bearer service=\"x\"").orElseThrow();

        assertThatThrownBy(() -> c.realm("registry.test"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isAuthFailure()).isTrue())
                .hasMessageContaining("registry.test").hasMessageContaining("without a realm");
    }
}
