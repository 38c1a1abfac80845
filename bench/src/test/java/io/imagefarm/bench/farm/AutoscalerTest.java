package io.imagefarm.bench.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.bench.farm.Autoscaler.Action;
import io.imagefarm.bench.farm.Autoscaler.Decision;
import io.imagefarm.bench.farm.Autoscaler.Policy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Policy POLICY = new Policy(2, 0, 1, 3, Duration.ofSeconds(30));

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void lagWithinThresholdTimesWorkersHolds() {
        Autoscaler scaler = new Autoscaler(POLICY);
        assertThat(scaler.decide(2, 1, at(0)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(4, 2, at(1)).action()).isEqualTo(Action.HOLD);
    }

    @Test
    void lagAboveThresholdAddsOneWorkerPerStep() {
        Autoscaler scaler = new Autoscaler(POLICY);
        assertThat(scaler.decide(3, 1, at(0))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_OUT, 2);
        // A burst that wants 6 still grows one worker per decision.
        assertThat(scaler.decide(12, 2, at(2))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_OUT, 3);
    }

    @Test
    void neverGrowsBeyondTheCeiling() {
        Autoscaler scaler = new Autoscaler(POLICY);
        Decision d = scaler.decide(100, 3, at(0));
        assertThat(d.action()).isEqualTo(Action.HOLD);
        assertThat(d.reason()).contains("ceiling");
        assertThat(scaler.decide(0, 4, at(1))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_IN, 3);
    }

    @Test
    void idlePoolShrinksOnlyAfterTheCooldownOneWorkerPerCooldown() {
        Autoscaler scaler = new Autoscaler(POLICY);
        scaler.decide(5, 3, at(0)); // busy: the cooldown runs from here
        assertThat(scaler.decide(0, 3, at(29)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(0, 3, at(30))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_IN, 2);
        assertThat(scaler.decide(0, 2, at(45)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(0, 2, at(60))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_IN, 1);
    }

    @Test
    void aMomentWantingEveryWorkerRestartsTheCooldown() {
        Autoscaler scaler = new Autoscaler(POLICY);
        scaler.decide(5, 3, at(0));
        scaler.decide(6, 3, at(20)); // 6 records still want 3 workers
        assertThat(scaler.decide(0, 3, at(40)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(0, 3, at(50)).action()).isEqualTo(Action.SCALE_IN);
    }

    @Test
    void lagThatFewerWorkersCarryShrinksThePoolAfterTheCooldownAsTheHpaDoes() {
        Autoscaler scaler = new Autoscaler(POLICY);
        scaler.decide(5, 3, at(0));
        // One record left uncommitted for good (a commit lost in a rebalance) wants 1 worker, not 3.
        assertThat(scaler.decide(1, 3, at(10)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(1, 3, at(30))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_IN, 2);
        assertThat(scaler.decide(1, 2, at(60))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_IN, 1);
        assertThat(scaler.decide(1, 1, at(120)).action()).isEqualTo(Action.HOLD);
    }

    @Test
    void lagObservedWhileAStepRunsKeepsTheCooldownRunningFromThen() {
        Autoscaler scaler = new Autoscaler(POLICY);
        assertThat(scaler.decide(12, 2, at(0)).action()).isEqualTo(Action.SCALE_OUT); // a slow step to 3 starts
        scaler.observe(7, 3, at(40)); // still wants 3 while the step runs
        scaler.observe(2, 3, at(60)); // wants 1 from 40 on
        // The step is done: 65 s after the decision, but only 25 s after 3 workers were last wanted.
        assertThat(scaler.decide(2, 3, at(65)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(2, 3, at(70)).action()).isEqualTo(Action.SCALE_IN);
    }

    @Test
    void wantedIsTheLagOverTheThresholdWithinTheBounds() {
        Autoscaler scaler = new Autoscaler(POLICY);
        assertThat(scaler.wanted(0)).isEqualTo(1);
        assertThat(scaler.wanted(1)).isEqualTo(1);
        assertThat(scaler.wanted(3)).isEqualTo(2);
        assertThat(scaler.wanted(12)).isEqualTo(3);
    }

    @Test
    void neverShrinksBelowTheFloorAndRaisesAPoolBelowIt() {
        Autoscaler scaler = new Autoscaler(POLICY);
        assertThat(scaler.decide(0, 1, at(0)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(0, 1, at(600)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(0, 0, at(601))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_OUT, 1);
    }

    @Test
    void poolAtZeroWakesOnlyAboveTheActivationThreshold() {
        Autoscaler scaler = new Autoscaler(new Policy(2, 3, 0, 3, Duration.ofSeconds(30)));
        assertThat(scaler.decide(3, 0, at(0)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(4, 0, at(1))).extracting(Decision::action, Decision::replicas)
                .containsExactly(Action.SCALE_OUT, 1);
        // At or below activation counts as idle: after the cooldown the pool goes back to zero.
        assertThat(scaler.decide(3, 1, at(20)).action()).isEqualTo(Action.HOLD);
        assertThat(scaler.decide(3, 1, at(31)))
                .extracting(Decision::action, Decision::replicas).containsExactly(Action.SCALE_IN, 0);
    }

    @Test
    void rejectsAPolicyThatCannotScale() {
        assertThatThrownBy(() -> new Policy(0, 0, 1, 3, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lagThreshold");
        assertThatThrownBy(() -> new Policy(2, 0, 4, 3, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min 4, max 3");
        assertThatThrownBy(() -> new Policy(2, -1, 1, 3, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
