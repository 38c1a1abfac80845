package io.imagefarm.core.signature;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Key pairs made at test time (no key is committed), as PEM. */
final class TestKeys {

    record PemPair(String privatePem, String publicPem) {
    }

    private TestKeys() {
    }

    static PemPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return pem(generator.generateKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static PemPair p256() {
        return ec("secp256r1");
    }

    static PemPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return pem(generator.generateKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static PemPair pem(KeyPair pair) {
        return new PemPair(pem("PRIVATE KEY", pair.getPrivate().getEncoded()), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
