package io.imagefarm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryTokenTest {

    @Test
    void aTokenEndpointAnswerGivesTheDockerOrTheOAuthTokenAndItsLifetime() {
        assertThat(RegistryToken.parse("r", json("{\"token\":\"d\",\"access_token\":\"o\",\"expires_in\":300}")))
                .isEqualTo(new RegistryToken("d", 300));
        assertThat(RegistryToken.parse("r", json("{\"access_token\":\"o\"}"))).isEqualTo(new RegistryToken("o", null));
    }

    @Test
    void aLifetimeThatIsNotAPositiveWholeNumberOfSecondsIsIgnored() {
        assertThat(RegistryToken.parse("r", json("{\"token\":\"d\",\"expires_in\":\"300\"}")).expiresInSeconds()).isNull();
        assertThat(RegistryToken.parse("r", json("{\"token\":\"d\",\"expires_in\":-5}")).expiresInSeconds()).isNull();
        assertThat(RegistryToken.parse("r", json("{\"token\":\"d\",\"expires_in\":1e12}")).expiresInSeconds()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"token\":\"\"}", "{\"token\":{\"a\":1}}", "{}", "{\"access_token\":7}"})
    void anAnswerWithoutATextTokenIsAnAuthFailure(String body) {
        assertThatThrownBy(() -> RegistryToken.parse("https://auth.test", json(body)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isAuthFailure()).isTrue())
                .hasMessageContaining("without a token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"<html>", "", "[\"token\"]", "\"token\""})
    void anAnswerThatIsNotAJsonObjectIsABadGateway(String body) {
        assertThatThrownBy(() -> RegistryToken.parse("https://auth.test", json(body)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(502))
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void theTokenNeverAppearsInItsStringForm() {
        assertThat(new RegistryToken("s3cret-token", 60).toString()).doesNotContain("s3cret");
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
