package io.imagefarm.core.signature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;

/**
 * The public key signatures are checked with: an ECDSA P-256 key in a PEM SubjectPublicKeyInfo
 * ({@code -----BEGIN PUBLIC KEY-----}), the form {@code cosign verify --key} and {@code openssl dgst -verify}
 * take.
 */
public final class VerificationKey {

    private static final String PEM_TYPE = "PUBLIC KEY";

    private final PublicKey key;
    private final String source;

    private VerificationKey(PublicKey key, String source) {
        this.key = key;
        this.source = source;
    }

    /** @throws InvalidKeyFileException if the file is not a P-256 public key; UncheckedIOException if unreadable */
    public static VerificationKey fromFile(Path file) {
        try {
            return fromPem(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the public key " + file + ": " + e.getMessage(), e);
        }
    }

    public static VerificationKey fromPem(String pem, String source) {
        byte[] der = EcKeys.pemBody(pem, PEM_TYPE, source);
        PublicKey key = EcKeys.readEc(der, X509EncodedKeySpec::new, (f, s) -> f.generatePublic(s), source);
        return new VerificationKey(key, source);
    }

    /** Whether {@code derSignature} is a valid ECDSA P-256 SHA-256 signature over {@code payload}; false if malformed. */
    public boolean verifies(byte[] payload, byte[] derSignature) {
        try {
            Signature signature = Signature.getInstance(EcKeys.SIGNATURE_ALGORITHM);
            signature.initVerify(key);
            signature.update(payload);
            return signature.verify(derSignature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("verifying with " + source + " failed: " + e.getMessage(), e);
        }
    }

    /** Where the key came from, for messages. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "VerificationKey[ECDSA P-256 from " + source + "]";
    }
}
