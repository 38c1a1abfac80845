package io.imagefarm.hasher.source;

/** A git remote the farm will not fetch from (HTTP 400); the message never contains credentials. */
public class InvalidSourceUrlException extends RuntimeException {

    public InvalidSourceUrlException(String message) {
        super(message);
    }
}
