package io.imagefarm.hasher.rest;

import static io.imagefarm.hasher.HasherFixtures.CI_TOKEN;
import static io.imagefarm.hasher.HasherFixtures.uniqueDockerfile;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.LocalOidcIssuer;
import io.imagefarm.testsupport.OidcIssuerResource;
import io.imagefarm.testsupport.RegistryResource;
import io.imagefarm.testsupport.SampleRepository;
import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Contract test of authentication and authorization: GitHub's OIDC issuer cannot be reached from
 * here, so {@link LocalOidcIssuer} stands in for it over real HTTP (discovery, JWKS, real RSA keys,
 * GitHub's claim names) and quarkus-oidc verifies its tokens exactly as it would GitHub's. Every case
 * asserts the status and the error.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(RegistryResource.class)
@QuarkusTestResource(OidcIssuerResource.class)
class AuthenticationContractIT {

    static final String AUDIENCE = "imagefarm";

    static String commit() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 32) + "00000000";
    }

    static Map<String, Object> resolveBody(String repository, String commit) {
        Map<String, Object> body = new HashMap<>();
        body.put("repository", repository);
        body.put("commit", commit);
        body.put("files", SampleRepository.seedFiles(uniqueDockerfile()));
        return body;
    }

    static LocalOidcIssuer issuer() {
        return SharedParts.oidcIssuer();
    }

    static String token(String repository, String sha) {
        return issuer().mint(issuer().githubClaims(AUDIENCE, repository, sha));
    }

    static ValidatableResponse resolve(String bearer, String repository, String commit) {
        var request = given().contentType(ContentType.JSON).body(resolveBody(repository, commit));
        if (bearer != null) {
            request = request.header("Authorization", "Bearer " + bearer);
        }
        return request.post("/api/v1/resolve").then();
    }

    static void unauthorized(ValidatableResponse response) {
        response.statusCode(401).header("WWW-Authenticate", containsString("Bearer")).body("error", equalTo("unauthorized"));
    }

    @Test
    void aGithubActionsTokenForTheRepositoryAndCommitResolves() {
        String commit = commit();
        resolve(token("acme/widget", commit), "acme/widget", commit).statusCode(200).body("repository", equalTo("acme/widget"));
    }

    @Test
    void noCredentialIs401WithTheBearerChallenge() {
        unauthorized(resolve(null, "acme/widget", commit()));
    }

    @Test
    void aMalformedJwtIs401() {
        unauthorized(resolve("eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln", "acme/widget", commit()));
    }

    @Test
    void aTokenSignedWithAKeyTheIssuerNeverPublishedIs401() {
        String commit = commit();
        unauthorized(resolve(LocalOidcIssuer.mintWithUnknownKey(issuer().githubClaims(AUDIENCE, "acme/widget", commit)), "acme/widget", commit));
    }

    @Test
    void anExpiredTokenIs401() {
        String commit = commit();
        var claims = LocalOidcIssuer.validity(issuer().githubClaims(AUDIENCE, "acme/widget", commit),
                Instant.now().minus(Duration.ofMinutes(20)), Duration.ofMinutes(10));
        unauthorized(resolve(issuer().mint(claims), "acme/widget", commit));
    }

    @Test
    void aTokenNotYetValidIs401() {
        String commit = commit();
        var claims = LocalOidcIssuer.validity(issuer().githubClaims(AUDIENCE, "acme/widget", commit),
                Instant.now().plus(Duration.ofMinutes(10)), Duration.ofMinutes(10));
        unauthorized(resolve(issuer().mint(claims), "acme/widget", commit));
    }

    @Test
    void aTokenFromAnotherIssuerIs401() {
        String commit = commit();
        var claims = LocalOidcIssuer.githubClaims("https://token.actions.githubusercontent.com", AUDIENCE, "acme/widget", commit);
        unauthorized(resolve(issuer().mint(claims), "acme/widget", commit));
    }

    @Test
    void aTokenForAnotherAudienceIs401() {
        String commit = commit();
        unauthorized(resolve(issuer().mint(issuer().githubClaims("sigstore", "acme/widget", commit)), "acme/widget", commit));
    }

    @Test
    void aTokenOfAnotherRepositoryIs403() {
        String commit = commit();
        resolve(token("acme/other", commit), "acme/widget", commit).statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("issued to acme/other"));
    }

    @Test
    void aCommitOtherThanTheTokensShaIs403() {
        resolve(token("acme/widget", commit()), "acme/widget", commit()).statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("issued for commit"));
    }

    @Test
    void anOwnerOffTheAllowListIs403EvenWithItsOwnToken() {
        String commit = commit();
        resolve(token("stranger/widget", commit), "stranger/widget", commit).statusCode(403)
                .body("error", equalTo("repository-not-allowed"));
    }

    @Test
    void aRefOutsideTheRepositorysConditionsIs403() {
        String commit = commit();
        var claims = issuer().githubClaims(AUDIENCE, "acme/guarded", commit);
        claims.put("ref", "refs/heads/feature");
        resolve(issuer().mint(claims), "acme/guarded", commit).statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("ref 'refs/heads/feature'"));
        claims.put("ref", "refs/tags/v1.0.0");
        resolve(issuer().mint(claims), "acme/guarded", commit).statusCode(200);
    }

    @Test
    void aStaticTokenWorksWithinItsRepositoriesAndIs403Outside() {
        resolve(CI_TOKEN, "acme/jenkins-built", commit()).statusCode(200);
        resolve(CI_TOKEN, "octo/allowed", commit()).statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("may act on [acme/*], not on octo/allowed"));
    }

    @Test
    void anUnknownStaticTokenIs401() {
        unauthorized(resolve("not-a-configured-token", "acme/widget", commit()));
    }

    @Test
    void aTokenSignedWithARotatedKeyIsAcceptedOnceTheJwksIsFetchedAgain() {
        String kid = issuer().rotate();
        String commit = commit();
        String rotated = token("acme/widget", commit);
        org.assertj.core.api.Assertions.assertThat(new String(java.util.Base64.getUrlDecoder().decode(rotated.split("\\.")[0]))).contains(kid);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                resolve(rotated, "acme/widget", commit).statusCode(200));
    }

    @Test
    void readingStatusNeedsACredentialUnlessAnonymousReadIsOn() {
        String hash = "0123456789abcdef";
        given().get("/api/v1/images/" + hash + "?repository=acme/widget").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().get("/api/v1/images/" + hash + "/wait?repository=acme/widget&timeout=1").then().statusCode(401);
        given().auth().oauth2(token("acme/widget", commit())).get("/api/v1/images/" + hash + "?repository=acme/widget").then().statusCode(200);
        given().auth().oauth2(token("acme/other", commit())).get("/api/v1/images/" + hash + "?repository=acme/widget").then().statusCode(403);
    }

    @Test
    void healthAndMetricsStayOpenAndTheWebhookKeepsItsOwnSignatureCheck() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
        given().get("/q/metrics").then().statusCode(200);
        given().header("X-GitHub-Event", "push").body("{}").post("/webhooks/github").then().statusCode(401)
                .body("error", equalTo("invalid-signature"));
    }

    @Test
    void anApiCallersForeignOrCredentialBearingSourceUrlIsRefused() {
        String commit = commit();
        Map<String, Object> body = resolveBody("acme/widget", commit);
        body.remove("files");
        body.put("sourceUrl", "https://evil.example/acme/widget.git");
        given().auth().oauth2(token("acme/widget", commit)).contentType(ContentType.JSON).body(body).post("/api/v1/resolve")
                .then().statusCode(400).body("error", equalTo("invalid-source-url")).body("message", containsString("not allowed"));
        body.put("sourceUrl", "https://user:PLANTED-PASSWORD@github.com/acme/widget.git");
        given().auth().oauth2(token("acme/widget", commit)).contentType(ContentType.JSON).body(body).post("/api/v1/resolve")
                .then().statusCode(400).body("error", equalTo("invalid-source-url"))
                .body("message", org.hamcrest.Matchers.not(containsString("PLANTED-PASSWORD")));
    }

    /** Probing found 10 of 37 unauthenticated writes answered 400: the body was judged before the credential. */
    @Test
    void everyUnauthenticatedWriteIs401WhateverItsBodyOrParameters() {
        for (String body : List.of("", "{", "null", "[]", "{\"repository\":\"not a repo!\"}", "{\"repository\":7}",
                "{\"unknown\":1}", "{\"repository\":\"acme/widget\",\"sourceUrl\":\"file://u:p@/etc\"}")) {
            for (String path : List.of("/api/v1/resolve", "/api/v1/hash")) {
                unauthorized(given().contentType(ContentType.JSON).body(body).post(path).then());
            }
        }
        unauthorized(given().post("/api/v1/images/not-a-hash/retry?repository=not%20a%20repo").then());
        unauthorized(given().get("/api/v1/images/not-a-hash?repository=").then());
        unauthorized(given().get("/api/v1/images/0123456789abcdef/wait?repository=acme/widget&timeout=abc").then());
    }

    /** Probing found /wait on an unknown hash answering 200 UNKNOWN whatever its timeout said. */
    @Test
    void aBadWaitTimeoutIs400EvenForAnUnknownHash() {
        String bearer = token("acme/widget", commit());
        for (String timeout : List.of("abc", "-5", "99999999999999999999", "PT-5S", "PT99999999999999999999S")) {
            given().auth().oauth2(bearer).get("/api/v1/images/fedcba9876543210/wait?repository=acme/widget&timeout=" + timeout)
                    .then().statusCode(400).body("error", equalTo("invalid-timeout")).body("message", org.hamcrest.Matchers.notNullValue());
        }
        given().auth().oauth2(bearer).get("/api/v1/images/fedcba9876543210/wait?repository=acme/widget&timeout=1")
                .then().statusCode(200);
    }
}
