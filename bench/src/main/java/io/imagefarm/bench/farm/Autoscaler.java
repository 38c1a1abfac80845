package io.imagefarm.bench.farm;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides one worker pool's replica count from its queue lag, the way the chart's KEDA ScaledObject
 * (Kafka trigger) and the HPA it feeds do. The wanted count is the lag over {@code lagThreshold},
 * rounded up, within [min, max]; a lag at or below {@code activationLagThreshold} is idle and wants the
 * floor. More wanted: one worker more at once. Fewer wanted: one worker less, but only once fewer has been
 * wanted for the whole cooldown (the HPA's scale-down stabilization), and then one per cooldown. So an
 * idle pool (lag 0) shrinks to the floor, and so does a pool whose lag stays at a record or two a
 * smaller pool would carry, as the HPA does; a pool wanting more than it has never shrinks.
 *
 * <p>Plain Java, no clock of its own: the caller passes the time, so the tests can step it. One step at
 * a time, as the embedded stack starts one JVM per step on a small host: the caller asks again on its
 * next poll, once the step is done.
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
    /** The last time the pool wanted at least what it had, or changed size: the cooldown runs from it. */
    private Instant lastWantedAll;

    public Autoscaler(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public Policy policy() {
        return policy;
    }

    /** The count the lag asks for, before the one-step and cooldown rules. */
    public int wanted(long lag) {
        if (lag <= policy.activationLagThreshold()) {
            return policy.minReplicas();
        }
        return (int) Math.min(policy.maxReplicas(), Math.max(Math.max(1, policy.minReplicas()),
                ceilDiv(lag, policy.lagThreshold())));
    }

    /**
     * Keeps the cooldown's clock while a step is under way and no decision may be taken: the HPA keeps
     * recommending during a scale-up too, so a pool busy all through a slow step is not shrunk right after.
     */
    public void observe(long lag, int replicas, Instant now) {
        if (lastWantedAll == null || wanted(lag) >= replicas) {
            lastWantedAll = now;
        }
    }

    /** The decision for a pool of {@code replicas} workers whose queue holds {@code lag} records not yet committed. */
    public Decision decide(long lag, int replicas, Instant now) {
        if (lastWantedAll == null) {
            lastWantedAll = now;
        }
        if (replicas < policy.minReplicas()) {
            return change(Action.SCALE_OUT, replicas + 1, "below the floor of " + policy.minReplicas(), now);
        }
        if (replicas > policy.maxReplicas()) {
            return change(Action.SCALE_IN, replicas - 1, "above the ceiling of " + policy.maxReplicas(), now);
        }
        int wanted = wanted(lag);
        if (wanted > replicas) {
            return change(Action.SCALE_OUT, replicas + 1, "lag " + lag + " > " + policy.lagThreshold() + " × "
                    + replicas + " worker(s)", now);
        }
        if (wanted == replicas) {
            lastWantedAll = now;
            boolean capped = replicas == policy.maxReplicas() && lag > policy.lagThreshold() * replicas;
            return new Decision(Action.HOLD, replicas, capped ? "lag " + lag + ", at the ceiling"
                    : "lag " + lag + " within " + policy.lagThreshold() + " × " + replicas);
        }
        Duration fewer = Duration.between(lastWantedAll, now);
        if (fewer.compareTo(policy.cooldown()) >= 0) {
            return change(Action.SCALE_IN, replicas - 1, "lag " + lag + " wants " + wanted + " for " + fewer.toSeconds()
                    + " s ≥ cooldown " + policy.cooldown().toSeconds() + " s", now);
        }
        return new Decision(Action.HOLD, replicas, "lag " + lag + " wants " + wanted + ", cooling down");
    }

    private Decision change(Action action, int replicas, String reason, Instant now) {
        lastWantedAll = now; // a change restarts the cooldown: scale-in goes one worker per cooldown
        return new Decision(action, replicas, reason);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
