package io.imagefarm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in's side of the Actions runtime's token request, which the composite action makes. */
class LocalOidcIssuerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private LocalOidcIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LocalOidcIssuer.start();
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void aJobsTokenRequestIsAnsweredWithAValueForItsRepositoryCommitAndAudience() throws Exception {
        HttpResponse<String> r = request("/actions/idtoken?repository=demo/sample&sha=" + "a".repeat(40) + "&audience=imagefarm",
                "bearer job-request-token");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode claims = claims(json.readTree(r.body()).path("value").asText());
        assertThat(claims.path("iss").asText()).isEqualTo(issuer.issuer());
        assertThat(claims.path("aud").asText()).isEqualTo("imagefarm");
        assertThat(claims.path("repository").asText()).isEqualTo("demo/sample");
        assertThat(claims.path("sha").asText()).isEqualTo("a".repeat(40));
    }

    @Test
    void withoutAnAudienceTheRuntimesDefaultTheOwnersUrlIsTheAudience() throws Exception {
        HttpResponse<String> r = request("/actions/idtoken?repository=demo/sample", "Bearer t");

        assertThat(claims(json.readTree(r.body()).path("value").asText()).path("aud").asText()).isEqualTo("https://github.com/demo");
    }

    @Test
    void aRequestWithoutTheRequestTokenIsRefused() throws Exception {
        assertThat(request("/actions/idtoken?repository=demo/sample&audience=imagefarm", null).statusCode()).isEqualTo(401);
        assertThat(request("/actions/idtoken?repository=demo/sample&audience=imagefarm", "bearer ").statusCode()).isEqualTo(401);
        assertThat(request("/actions/idtoken?audience=imagefarm", "bearer t").statusCode()).as("no job named").isEqualTo(400);
    }

    private HttpResponse<String> request(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(issuer.issuer() + path)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode claims(String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        return json.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }
}
