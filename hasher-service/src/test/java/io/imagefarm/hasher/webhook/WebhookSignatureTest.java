package io.imagefarm.hasher.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    final WebhookSignature signature = new WebhookSignature("It's a Secret to Everybody");
    final byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchesGitHubsDocumentedExample() {
        // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!"
        assertThat(signature.sign(body)).isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        assertThat(signature.verify(body, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")).isTrue();
    }

    @Test
    void rejectsMissingMalformedAndForeignSignatures() {
        assertThat(signature.verify(body, null)).isFalse();
        assertThat(signature.verify(body, "sha1=757107ea")).isFalse();
        assertThat(signature.verify(body, "sha256=not-hex")).isFalse();
        assertThat(signature.verify(body, new WebhookSignature("other").sign(body))).isFalse();
        assertThat(signature.verify("Hello, World?".getBytes(StandardCharsets.UTF_8), signature.sign(body))).isFalse();
    }
}
