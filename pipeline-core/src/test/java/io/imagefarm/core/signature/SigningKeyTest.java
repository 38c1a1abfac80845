package io.imagefarm.core.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @TempDir
    Path dir;

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    @Test
    void aP256Pkcs8KeySignsWhatItsPublicKeyVerifies() {
        TestKeys.PemPair pair = TestKeys.p256();

        byte[] signature = SigningKey.fromPem(pair.privatePem(), "test").sign(PAYLOAD);

        VerificationKey publicKey = VerificationKey.fromPem(pair.publicPem(), "test.pub");
        assertThat(publicKey.verifies(PAYLOAD, signature)).isTrue();
        assertThat(publicKey.verifies("other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(VerificationKey.fromPem(TestKeys.p256().publicPem(), "other.pub").verifies(PAYLOAD, signature)).isFalse();
    }

    @Test
    void theSignatureIsAsn1Der() {
        byte[] signature = SigningKey.fromPem(TestKeys.p256().privatePem(), "test").sign(PAYLOAD);

        // SEQUENCE { INTEGER r, INTEGER s }: what cosign and openssl dgst -verify read.
        assertThat(signature[0]).isEqualTo((byte) 0x30);
        assertThat(signature[1] & 0xff).isEqualTo(signature.length - 2);
        assertThat(signature[2]).isEqualTo((byte) 0x02);
    }

    @Test
    void aKeyIsPairedWithItsOwnPublicKeyOnly() {
        TestKeys.PemPair pair = TestKeys.p256();
        SigningKey key = SigningKey.fromPem(pair.privatePem(), "signing.key");

        assertThat(key.isPairedWith(VerificationKey.fromPem(pair.publicPem(), "signing.pub"))).isTrue();
        assertThat(key.isPairedWith(VerificationKey.fromPem(TestKeys.p256().publicPem(), "other.pub"))).isFalse();
    }

    @Test
    void anRsaKeyIsRefusedByName() {
        TestKeys.PemPair rsa = TestKeys.rsa();

        assertThatThrownBy(() -> SigningKey.fromPem(rsa.privatePem(), "rsa.key"))
                .isInstanceOf(InvalidKeyFileException.class)
                .hasMessageContaining("rsa.key is an RSA key")
                .hasMessageContaining("ECDSA P-256");
        assertThatThrownBy(() -> VerificationKey.fromPem(rsa.publicPem(), "rsa.pub"))
                .isInstanceOf(InvalidKeyFileException.class)
                .hasMessageContaining("rsa.pub is an RSA key");
    }

    @Test
    void anEcKeyOnAnotherCurveIsRefused() {
        TestKeys.PemPair p384 = TestKeys.ec("secp384r1");

        assertThatThrownBy(() -> SigningKey.fromPem(p384.privatePem(), "p384.key"))
                .isInstanceOf(InvalidKeyFileException.class)
                .hasMessageContaining("p384.key is an EC key on another curve");
        assertThatThrownBy(() -> VerificationKey.fromPem(p384.publicPem(), "p384.pub"))
                .hasMessageContaining("another curve");
    }

    @Test
    void otherPemTypesAreRefusedWithWhatToDo() {
        TestKeys.PemPair pair = TestKeys.p256();
        String sec1 = pair.privatePem().replace("PRIVATE KEY", "EC PRIVATE KEY");

        assertThatThrownBy(() -> SigningKey.fromPem(sec1, "sec1.key"))
                .hasMessageContaining("EC PRIVATE KEY").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> SigningKey.fromPem(pair.publicPem(), "signing.pub"))
                .hasMessageContaining("a public key where the private key is expected");
        assertThatThrownBy(() -> VerificationKey.fromPem(pair.privatePem(), "signing.key"))
                .hasMessageContaining("a private key where the public key is expected");
        assertThatThrownBy(() -> SigningKey.fromPem("not a key", "junk")).hasMessageContaining("junk is not a PEM file");
    }

    @Test
    void theKeyNeverAppearsInToStringOrErrors() {
        TestKeys.PemPair pair = TestKeys.p256();
        String body = pair.privatePem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        String truncated = pair.privatePem().substring(0, pair.privatePem().length() - 40);

        assertThat(SigningKey.fromPem(pair.privatePem(), "k").toString()).doesNotContain(body).contains("P-256");
        assertThatThrownBy(() -> SigningKey.fromPem(truncated, "k")).message().doesNotContain(body);
        String corrupt = pair.privatePem().replace(body, body.substring(0, 10) + "!!" + body.substring(12));
        assertThatThrownBy(() -> SigningKey.fromPem(corrupt, "k")).message().doesNotContain(body.substring(0, 10));
    }

    @Test
    void fromSecretReadsTheConfiguredFileAndNoFileMeansNoKey() throws Exception {
        Path file = Files.writeString(dir.resolve("signing.key"), TestKeys.p256().privatePem());

        assertThat(SigningKey.fromSecret("imagefarm.hasher.signing.key", Optional.empty())).isEmpty();
        assertThat(SigningKey.fromSecret("imagefarm.hasher.signing.key", Optional.of(file)))
                .hasValueSatisfying(k -> assertThat(k.toString()).contains("imagefarm.hasher.signing.key-file"));
        Path rsa = Files.writeString(dir.resolve("rsa.key"), TestKeys.rsa().privatePem());
        assertThatThrownBy(() -> SigningKey.fromSecret("imagefarm.hasher.signing.key", Optional.of(rsa)))
                .hasMessageContaining("imagefarm.hasher.signing.key-file").hasMessageContaining("RSA");
    }
}
