package io.imagefarm.hasher.resolve;

/**
 * Port: publishes a {@link Publication} all-or-nothing and returns once Kafka acknowledged it.
 * Throws {@link PublishFailedException} otherwise.
 */
public interface Publisher {

    void publish(Publication publication);
}
