package io.imagefarm.hasher.resolve;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Port: publishes a {@link Publication} all-or-nothing. {@link #submit} returns at once; its future
 * completes once Kafka acknowledged the publication, or fails with {@link PublishFailedException}.
 * Implementations may batch concurrent publications into one transaction (group commit).
 */
@FunctionalInterface
public interface Publisher {

    /** Longest a caller waits for its publication's commit. */
    long COMMIT_WAIT_SECONDS = 30;

    CompletableFuture<Void> submit(Publication publication);

    /** Submits and waits for the commit. */
    default void publish(Publication publication) {
        await(submit(publication));
    }

    /** Waits for a submitted publication; any failure becomes a {@link PublishFailedException}. */
    static void await(CompletableFuture<Void> committed) {
        try {
            committed.get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishFailedException p) {
                throw p;
            }
            throw new PublishFailedException("publication failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishFailedException("Kafka did not acknowledge within " + COMMIT_WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while waiting for Kafka", e);
        }
    }
}
