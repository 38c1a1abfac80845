package io.imagefarm.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatusTransitionsTest {

    static ImageStatus arch(BuildState state) {
        return new ImageStatus(ImageStatus.SCHEMA_VERSION, "r/a/b:builder-0123456789abcdef-amd64", "a/b", "0123456789abcdef",
                "amd64", state, null, null, null, null, null, null, null, "e", null, Instant.EPOCH);
    }

    static ImageStatus index(BuildState state) {
        return ImageStatus.index("r/a/b:builder-0123456789abcdef", "a/b", "0123456789abcdef", state, null, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void buildingFollowsARequestOrAnotherHeartbeat() {
        assertThat(StatusTransitions.allowed(arch(BuildState.REQUESTED), arch(BuildState.BUILDING))).isTrue();
        assertThat(StatusTransitions.allowed(arch(BuildState.BUILDING), arch(BuildState.BUILDING))).isTrue();
        assertThat(StatusTransitions.allowed(null, arch(BuildState.BUILDING))).as("first record of a compacted key").isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = BuildState.class, names = {"BUILT", "EXISTS", "FAILED", "DELETED"})
    void aZombieBuildingCannotMoveAFinishedImageBackwards(BuildState finished) {
        assertThat(StatusTransitions.allowed(arch(finished), arch(BuildState.BUILDING))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(BuildState.class)
    void aNewRequestAFinalStatusOrADeletionMayFollowAnything(BuildState previous) {
        for (BuildState next : new BuildState[] {BuildState.REQUESTED, BuildState.BUILT, BuildState.EXISTS, BuildState.FAILED, BuildState.DELETED}) {
            assertThat(StatusTransitions.allowed(arch(previous), arch(next))).as(previous + " -> " + next).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(BuildState.class)
    void theIndexRefIsTheHashersAloneAndAnyStepIsAllowed(BuildState previous) {
        assertThat(StatusTransitions.allowed(index(previous), index(BuildState.BUILDING))).isTrue();
    }
}
