package io.imagefarm.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code helm lint --strict} with the default values and each chart-testing values file. */
class ChartLintTest {

    @TempDir
    Path scratch;

    static Stream<Path> valuesSets() {
        return Chart.valuesSets();
    }

    @Test
    void chartTestingValuesIncludeTheFarm() {
        assertThat(Chart.ciValuesFiles()).extracting(p -> p.getFileName().toString()).contains("farm-values.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void lintsCleanUnderStrict(Path valuesFile) {
        LintResult result = Chart.lint(valuesFile, scratch);

        assertThat(result.isFailed()).as("helm lint --strict with %s: %s", Chart.label(valuesFile), result.getMessages())
                .isFalse();
        assertThat(result.getMessages()).as(Chart.label(valuesFile))
                .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void lintFailsOnAValuesKeyTheSchemaDoesNotKnow() {
        LintResult result = Chart.lint(Path.of("src/test/resources/invalid-values/misspelt-key-values.yaml").toAbsolutePath(),
                scratch);

        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("autoscalin");
    }
}
