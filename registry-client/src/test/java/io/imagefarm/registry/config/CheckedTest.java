package io.imagefarm.registry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each converter's range, both ends; the key is named by SmallRye Config around the message (RegistryBeansTest shows it). */
class CheckedTest {

    @Test
    void durationsTakeIsoAndQuarkusShortFormAndHoldTheirLowerBound() {
        assertThat(new Checked.PositiveDuration().convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(new Checked.PositiveDuration().convert("PT0.2S")).isEqualTo(Duration.ofMillis(200));
        assertThatThrownBy(() -> new Checked.PositiveDuration().convert("PT0S")).hasMessageContaining("above zero");
        assertThat(new Checked.NonNegativeDuration().convert("PT0S")).isZero();
        assertThatThrownBy(() -> new Checked.NonNegativeDuration().convert("-PT1S")).hasMessageContaining("negative");
        assertThat(new Checked.ClockOffset().convert("-PT10M")).isEqualTo(Duration.ofMinutes(-10));
        assertThatThrownBy(() -> new Checked.ClockOffset().convert("P2D")).hasMessageContaining("within a day");
    }

    @Test
    void countsHoldBothEndsOfTheirRange() {
        assertThat(new Checked.Positive().convert("1")).isEqualTo(1);
        assertThatThrownBy(() -> new Checked.Positive().convert("0")).hasMessage("must be at least 1");
        assertThat(new Checked.NonNegative().convert("0")).isZero();
        assertThatThrownBy(() -> new Checked.NonNegative().convert("-1")).hasMessage("must be at least 0");
        assertThat(new Checked.PageSize().convert("10000")).isEqualTo(10_000);
        assertThatThrownBy(() -> new Checked.PageSize().convert("10001")).hasMessage("must be at most 10000");
        assertThat(new Checked.PositiveShort().convert("3")).isEqualTo((short) 3);
        assertThatThrownBy(() -> new Checked.PositiveShort().convert("40000")).hasMessage("must be at most 32767");
        assertThatThrownBy(() -> new Checked.PositiveBytes().convert("0")).hasMessage("must be at least 1");
        assertThat(new Checked.NonNegativeBytes().convert("0")).isZero();
        assertThat(new Checked.Fraction().convert("0.5")).isEqualTo(0.5);
        assertThatThrownBy(() -> new Checked.Fraction().convert("1.5")).hasMessageContaining("within 0 and 1");
        assertThatThrownBy(() -> new Checked.Fraction().convert("NaN")).hasMessageContaining("within 0 and 1");
        assertThatThrownBy(() -> new Checked.Positive().convert("many")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void aBlankValueIsUnsetNotZero() {
        assertThat(new Checked.Positive().convert(" ")).isNull();
        assertThat(new Checked.PositiveDuration().convert("")).isNull();
    }
}
