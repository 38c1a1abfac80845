package io.imagefarm.core.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimpleSigningPayloadTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void thePayloadIsCosignsSimpleSigningJsonInAFixedOrder() {
        byte[] json = SimpleSigningPayload.of("ghcr.io/acme/widget", DIGEST,
                new SignatureClaims("acme/widget", "c0ffee", "5ea78654994769b1")).toJson();

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"critical\":{\"identity\":{\"docker-reference\":"
                + "\"ghcr.io/acme/widget\"},\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},"
                + "\"type\":\"cosign container image signature\"},\"optional\":{\"repository\":\"acme/widget\","
                + "\"commit\":\"c0ffee\",\"versionHash\":\"5ea78654994769b1\"}}");
    }

    @Test
    void parseReadsWhatToJsonWrote() {
        SimpleSigningPayload payload = SimpleSigningPayload.of("ghcr.io/acme/widget", DIGEST,
                new SignatureClaims("acme/widget", "c0ffee", "5ea78654994769b1"));

        assertThat(SimpleSigningPayload.parse(payload.toJson())).isEqualTo(payload);
    }

    @Test
    void aPayloadOfCosignWithoutOptionalClaimsIsRead() {
        String cosign = "{\"critical\":{\"identity\":{\"docker-reference\":\"ghcr.io/acme/widget\"},\"image\":"
                + "{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";

        SimpleSigningPayload parsed = SimpleSigningPayload.parse(cosign.getBytes(StandardCharsets.UTF_8));

        assertThat(parsed.manifestDigest()).isEqualTo(DIGEST);
        assertThat(parsed.commit()).isNull();
    }

    @Test
    void aPayloadOfAnotherTypeOrWithoutDigestIsRefused() {
        assertThatThrownBy(() -> SimpleSigningPayload.parse(("{\"critical\":{\"image\":{\"docker-manifest-digest\":\""
                + DIGEST + "\"},\"type\":\"atomic container signature\"}}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("critical.type is 'atomic container signature'");
        assertThatThrownBy(() -> SimpleSigningPayload.parse(
                "{\"critical\":{\"type\":\"cosign container image signature\"}}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("no critical.image.docker-manifest-digest");
        assertThatThrownBy(() -> SimpleSigningPayload.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void aPayloadNamingItsDigestTwiceIsRefused() {
        String twice = "{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\",\"docker-manifest-digest\":\""
                + "sha256:" + "cd".repeat(32) + "\"},\"type\":\"cosign container image signature\"}}";

        assertThatThrownBy(() -> SimpleSigningPayload.parse(twice.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("unique keys");
    }

    @Test
    void theSignatureTagIsTheDigestWithADashAndSig() {
        assertThat(SignatureFormat.signatureTag(DIGEST)).isEqualTo("sha256-" + "ab".repeat(32) + ".sig");
    }
}
