package io.imagefarm.bench.farm;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides one worker pool's replica count from its queue lag, the way the chart's KEDA ScaledObject
 * (Kafka trigger) and the HPA it feeds do: the wanted count is the lag over {@code lagThreshold},
 * rounded up, within [min, max]; a lag at or below {@code activationLagThreshold} counts as idle; a pool
 * is scaled in only after it has stayed idle for the cooldown, one worker per cooldown. Plain Java, no
 * clock of its own: the caller passes the time, so the tests can step it.
 *
 * <p>One step at a time, as the embedded stack starts one JVM per step on a small host: the caller asks
 * again on its next poll, once the step is done.
 */
public final class Autoscaler {

    /**
     * @param lagThreshold           records not yet committed that one worker is meant to carry
     * @param activationLagThreshold a lag at or below this is idle (it also keeps a pool at 0 asleep)
     * @param minReplicas            the floor
     * @param maxReplicas            the ceiling (at most the topic's partitions, as the chart enforces)
     * @param cooldown               how long a pool stays idle before one worker is removed
     */
    public record Policy(long lagThreshold, long activationLagThreshold, int minReplicas, int maxReplicas,
                         Duration cooldown) {

        public Policy {
            Objects.requireNonNull(cooldown, "cooldown");
            if (lagThreshold < 1) {
                throw new IllegalArgumentException("lagThreshold must be at least 1, not " + lagThreshold);
            }
            if (activationLagThreshold < 0) {
                throw new IllegalArgumentException("activationLagThreshold must not be negative, not " + activationLagThreshold);
            }
            if (minReplicas < 0 || maxReplicas < Math.max(1, minReplicas)) {
                throw new IllegalArgumentException("replicas must satisfy 0 ≤ min ≤ max, max ≥ 1; not min " + minReplicas
                        + ", max " + maxReplicas);
            }
            if (cooldown.isNegative()) {
                throw new IllegalArgumentException("cooldown must not be negative, not " + cooldown);
            }
        }
    }

    public enum Action { HOLD, SCALE_OUT, SCALE_IN }

    /** What to do now: {@code replicas} is the count after the action (the current one for HOLD). */
    public record Decision(Action action, int replicas, String reason) {
    }

    private final Policy policy;
    /** The last time the pool was busy (lag above activation) or changed size; the cooldown runs from it. */
    private Instant lastActivity;

    public Autoscaler(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public Policy policy() {
        return policy;
    }

    /** The decision for a pool of {@code replicas} workers whose queue holds {@code lag} records not yet committed. */
    public Decision decide(long lag, int replicas, Instant now) {
        if (lastActivity == null) {
            lastActivity = now;
        }
        if (replicas < policy.minReplicas()) {
            return change(Action.SCALE_OUT, replicas + 1, "below the floor of " + policy.minReplicas(), now);
        }
        if (replicas > policy.maxReplicas()) {
            return change(Action.SCALE_IN, replicas - 1, "above the ceiling of " + policy.maxReplicas(), now);
        }
        if (lag > policy.activationLagThreshold()) {
            lastActivity = now;
            long wanted = Math.min(policy.maxReplicas(),
                    Math.max(Math.max(1, policy.minReplicas()), ceilDiv(lag, policy.lagThreshold())));
            if (wanted > replicas) {
                return change(Action.SCALE_OUT, replicas + 1, "lag " + lag + " > " + policy.lagThreshold() + " × "
                        + replicas + " worker(s)", now);
            }
            return new Decision(Action.HOLD, replicas, replicas == policy.maxReplicas() && ceilDiv(lag, policy.lagThreshold()) > replicas
                    ? "lag " + lag + ", at the ceiling" : "lag " + lag + " within " + policy.lagThreshold() + " × " + replicas);
        }
        Duration idle = Duration.between(lastActivity, now);
        if (replicas > policy.minReplicas() && idle.compareTo(policy.cooldown()) >= 0) {
            return change(Action.SCALE_IN, replicas - 1, "idle (lag " + lag + ") for " + idle.toSeconds() + " s ≥ cooldown "
                    + policy.cooldown().toSeconds() + " s", now);
        }
        return new Decision(Action.HOLD, replicas, replicas > policy.minReplicas() ? "idle, cooling down" : "idle, at the floor");
    }

    private Decision change(Action action, int replicas, String reason, Instant now) {
        lastActivity = now; // a change restarts the cooldown: scale-in goes one worker per cooldown
        return new Decision(action, replicas, reason);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
