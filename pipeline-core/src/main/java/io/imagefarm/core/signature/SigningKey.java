package io.imagefarm.core.signature;

import io.imagefarm.core.secret.Secrets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

/**
 * The private key signatures are made with: ECDSA on P-256, read from an unencrypted PKCS#8 PEM file
 * ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey -algorithm EC -pkeyopt
 * ec_paramgen_curve:P-256} writes). Signs with {@code SHA256withECDSA}: an ASN.1 DER signature, what cosign
 * and {@code openssl dgst -sha256 -verify} check.
 *
 * <p>The key never leaves this object: {@link #toString()} and every error message name where it came
 * from, never its content.
 */
public final class SigningKey {

    private static final String PEM_TYPE = "PRIVATE KEY";

    private final PrivateKey key;
    private final String source;

    private SigningKey(PrivateKey key, String source) {
        this.key = key;
        this.source = source;
    }

    /**
     * The key a service is configured with, read through the one secrets reader; empty when no file is
     * configured (or it is empty): then nothing is signed.
     *
     * @param configKey the config key naming the file, for messages, e.g. {@code imagefarm.hasher.signing.key}
     *                  (the file is {@code <configKey>-file})
     * @throws InvalidKeyFileException if the file holds no usable P-256 PKCS#8 key
     */
    public static Optional<SigningKey> fromSecret(String configKey, Optional<Path> keyFile) {
        return Secrets.read(configKey, Optional.empty(), keyFile)
                .map(pem -> fromPem(pem, "the signing key " + configKey + "-file (" + keyFile.orElseThrow() + ")"));
    }

    /**
     * @param source where the PEM came from, for messages (e.g. a file name)
     * @throws InvalidKeyFileException if it is not an unencrypted PKCS#8 EC P-256 private key
     */
    public static SigningKey fromPem(String pem, String source) {
        byte[] der = EcKeys.pemBody(pem, PEM_TYPE, source);
        PrivateKey key = EcKeys.readEc(der, PKCS8EncodedKeySpec::new, (f, s) -> f.generatePrivate(s), source);
        return new SigningKey(key, source);
    }

    /** The ASN.1 DER ECDSA P-256 SHA-256 signature over {@code payload}. */
    public byte[] sign(byte[] payload) {
        try {
            Signature signature = Signature.getInstance(EcKeys.SIGNATURE_ALGORITHM);
            signature.initSign(key);
            signature.update(payload);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + source + " failed: " + e.getClass().getSimpleName());
        }
    }

    /** {@link #sign} in base64, the form of cosign's signature annotation. */
    public String signBase64(byte[] payload) {
        return Base64.getEncoder().encodeToString(sign(payload));
    }

    /**
     * Whether {@code publicKey} verifies what this key signs: a service configured with both (the READY check
     * needs the public key; the JDK cannot derive it from a PKCS#8 private key) checks at start-up that they
     * are one pair, so it never signs what its own check, and every CI's {@code verify}, would refuse.
     */
    public boolean isPairedWith(VerificationKey publicKey) {
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        return publicKey.verifies(probe, sign(probe));
    }

    @Override
    public String toString() {
        return "SigningKey[ECDSA P-256 from " + source + "]";
    }
}
