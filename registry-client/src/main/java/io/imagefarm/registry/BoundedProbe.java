package io.imagefarm.registry;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A reachability check that answers within a bound, for readiness: a registry that accepts the
 * connection and then says nothing (a stopped process, a black-holed network) would otherwise hold the
 * health endpoint for the client's read timeout. Past the bound the answer is "no"; the probe still in
 * flight is waited on by the next check rather than started again, so a frozen registry holds at most
 * one thread. Thread-safe.
 */
public final class BoundedProbe {

    private final BooleanSupplier probe;
    private final Duration bound;
    private final Executor executor;
    private CompletableFuture<Boolean> inFlight;

    public BoundedProbe(BooleanSupplier probe, Duration bound, Executor executor) {
        this.probe = probe;
        this.bound = bound;
        this.executor = executor;
    }

    /** The probe's answer if it comes within the bound; false if it fails or does not come in time. */
    public boolean check() {
        CompletableFuture<Boolean> current;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(probe::getAsBoolean, executor);
            }
            current = inFlight;
        }
        try {
            return current.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public Duration bound() {
        return bound;
    }
}
