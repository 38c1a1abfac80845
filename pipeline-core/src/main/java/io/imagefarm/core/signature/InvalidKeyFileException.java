package io.imagefarm.core.signature;

/**
 * A signing or verification key that cannot be used: not PEM, the wrong PEM type, not EC, not P-256. The
 * message names where the key came from and what is wrong, never the key's content.
 */
public class InvalidKeyFileException extends IllegalArgumentException {

    public InvalidKeyFileException(String message) {
        super(message);
    }
}
