package io.imagefarm.janitor.job;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One run at a time in this process, and only on the replica that holds the lease. A scheduled run that
 * finds one in progress, or finds another replica leading, skips; a manual run is rejected with why.
 */
public final class RunGate {

    private final ReentrantLock lock = new ReentrantLock();
    private final BooleanSupplier leaseHeld;

    public RunGate(BooleanSupplier leaseHeld) {
        this.leaseHeld = leaseHeld;
    }

    /** Why a run could not start. */
    public enum Refusal {
        RUN_IN_PROGRESS("a janitor run is already in progress"),
        NOT_LEADER("another replica holds the janitor lease (or this one has not acquired it yet)");

        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    /** Thrown by {@link #runOrRefuse}. */
    public static final class RunRefusedException extends RuntimeException {
        private final Refusal refusal;

        public RunRefusedException(Refusal refusal) {
            super(refusal.message());
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    public <T> T runOrRefuse(Supplier<T> run) {
        if (!lock.tryLock()) {
            throw new RunRefusedException(Refusal.RUN_IN_PROGRESS);
        }
        try {
            if (!leaseHeld.getAsBoolean()) {
                throw new RunRefusedException(Refusal.NOT_LEADER);
            }
            return run.get();
        } finally {
            lock.unlock();
        }
    }

    /** Empty if refused. */
    public <T> Optional<T> runOrSkip(Supplier<T> run) {
        try {
            return Optional.of(runOrRefuse(run));
        } catch (RunRefusedException e) {
            return Optional.empty();
        }
    }

    public boolean running() {
        return lock.isLocked();
    }
}
