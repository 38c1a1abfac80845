package io.imagefarm.core.signature;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.KeySpec;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/** PEM and P-256 checks shared by {@link SigningKey} and {@link VerificationKey}; JDK crypto only. */
final class EcKeys {

    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final ECParameterSpec P256 = p256();
    private static final List<String> OTHER_ALGORITHMS = List.of("RSA", "EdDSA", "DSA", "XDH");

    private EcKeys() {
    }

    /**
     * The DER body of the one PEM block of type {@code type} in {@code pem}. Other PEM types are refused by
     * name, with what to do about the common ones.
     */
    static byte[] pemBody(String pem, String type, String source) {
        String text = pem.strip();
        int begin = text.indexOf("-----BEGIN ");
        if (begin < 0) {
            throw new InvalidKeyFileException(source + " is not a PEM file (no -----BEGIN line)");
        }
        int labelEnd = text.indexOf("-----", begin + 11);
        if (labelEnd < 0) {
            throw new InvalidKeyFileException(source + " is not a PEM file (an unterminated -----BEGIN line)");
        }
        String label = text.substring(begin + 11, labelEnd);
        if (!label.equals(type)) {
            throw new InvalidKeyFileException(source + " holds a PEM " + label + ", not a " + type + hint(label));
        }
        String end = "-----END " + type + "-----";
        int endAt = text.indexOf(end, labelEnd);
        if (endAt < 0) {
            throw new InvalidKeyFileException(source + " is not a PEM file (no " + end + " line)");
        }
        String body = text.substring(labelEnd + 5, endAt).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            // The decoder's message may quote a character of the key: it is not passed on.
            throw new InvalidKeyFileException(source + ": the PEM body is not base64");
        }
    }

    private static String hint(String label) {
        return switch (label) {
            case "EC PRIVATE KEY" -> " (a SEC1 key; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY)";
            case "ENCRYPTED PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY" ->
                    " (an encrypted key; imagefarm reads an unencrypted PKCS#8 key from a mounted secret)";
            case "PRIVATE KEY" -> " (a private key where the public key is expected)";
            case "PUBLIC KEY" -> " (a public key where the private key is expected)";
            default -> "";
        };
    }

    /**
     * An EC key from its DER encoding, refused unless it is on P-256; another algorithm's key is named as
     * such ("an RSA key").
     */
    static <K extends Key> K readEc(byte[] der, Function<byte[], KeySpec> spec, KeyReader<K> reader, String source) {
        K key;
        try {
            key = reader.read(KeyFactory.getInstance("EC"), spec.apply(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidKeyFileException(source + " is " + describeOther(der, spec, reader)
                    + "; imagefarm signs with ECDSA P-256 (cosign's default) keys only");
        }
        if (!(key instanceof ECKey ec) || !isP256(ec.getParams())) {
            throw new InvalidKeyFileException(source + " is an EC key on another curve; imagefarm signs with "
                    + "ECDSA P-256 (secp256r1, prime256v1) keys only");
        }
        return key;
    }

    @FunctionalInterface
    interface KeyReader<K> {
        K read(KeyFactory factory, KeySpec spec) throws GeneralSecurityException;
    }

    private static <K> String describeOther(byte[] der, Function<byte[], KeySpec> spec, KeyReader<K> reader) {
        for (String algorithm : OTHER_ALGORITHMS) {
            try {
                reader.read(KeyFactory.getInstance(algorithm), spec.apply(der));
                return "an " + algorithm + " key";
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm either
            }
        }
        return "not a key the JDK can read";
    }

    static boolean isP256(ECParameterSpec params) {
        return params != null
                && params.getCurve().equals(P256.getCurve())
                && params.getGenerator().equals(P256.getGenerator())
                && params.getOrder().equals(P256.getOrder())
                && params.getCofactor() == P256.getCofactor();
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK does not know the curve secp256r1", e);
        }
    }
}
