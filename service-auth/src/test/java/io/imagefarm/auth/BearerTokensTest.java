package io.imagefarm.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What counts as a bearer token in an Authorization header (RFC 6750: the scheme, one or more spaces, the token). */
class BearerTokensTest {

    @Test
    void theTokenAfterTheBearerSchemeIsReturned() {
        assertThat(BearerTokens.from("Bearer s3cret-token")).isEqualTo("s3cret-token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer t", "BEARER t", "bEaReR t"})
    void theSchemeIsCaseInsensitive(String header) {
        assertThat(BearerTokens.from(header)).isEqualTo("t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer   t", "Bearer t   ", "Bearer \tt\t", "Bearer t\r\n"})
    void whitespaceAroundTheTokenIsTrimmed(String header) {
        assertThat(BearerTokens.from(header)).isEqualTo("t");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {
        "",            // empty header
        "       ",     // only spaces
        "Bearer",      // the scheme alone, shorter than "Bearer "
        "Bearer ",     // the scheme and its space, no token
        "Bearer   ",   // only spaces after the scheme
        "Bearer \t ",  // only whitespace after the scheme
        "Bearer\tt",   // a tab is not the space RFC 7235 puts after the scheme
        "Bearert",     // no separator at all
        "Basic dXNlcjpwYXNz",
        "Basic x",
        "Token t",
        " Bearer t",   // the scheme must start the header
        "Bear t",
    })
    void aMissingBlankShortOrOtherSchemeHeaderHasNoToken(String header) {
        assertThat(BearerTokens.from(header)).isNull();
    }
}
