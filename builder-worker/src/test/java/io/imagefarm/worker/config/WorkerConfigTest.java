package io.imagefarm.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.Arch;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The mapping as SmallRye Config builds it at start-up, without booting Quarkus: a value the worker
 * cannot run with stops the start, and the error names the key.
 */
class WorkerConfigTest {

    private static WorkerConfig map(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "imagefarm.worker.arch", "amd64",
                "imagefarm.worker.instance-id", "test"));
        properties.putAll(overrides);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .addSystemSources()
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(WorkerConfig.class)
                .build();
        return config.getConfigMapping(WorkerConfig.class);
    }

    @Test
    void theDefaultsMapToTypedValues() {
        WorkerConfig config = map(Map.of());

        assertThat(config.arch()).isEqualTo(Arch.AMD64);
        assertThat(config.registry()).isEqualTo("ghcr.io");
        assertThat(config.buildTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.maxAttempts()).isEqualTo(8);
        assertThat(config.git().readTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.beatInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void durationsTakeQuarkusShortFormToo() {
        assertThat(map(Map.of("imagefarm.worker.heartbeat-interval", "10s")).heartbeatInterval())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @CsvSource({
            "imagefarm.worker.arch, sparc",
            "imagefarm.worker.registry, https://ghcr.io",
            "imagefarm.worker.build-timeout, PT0S",
            "imagefarm.worker.retry-budget, -PT1M",
            "imagefarm.worker.initial-backoff, soon",
            "imagefarm.worker.max-backoff, PT0S",
            "imagefarm.worker.max-attempts, 0",
            "imagefarm.worker.max-unexpected-failures, 0",
            "imagefarm.worker.shutdown-grace, -PT1S",
            "imagefarm.worker.heartbeat-interval, 0s",
            "imagefarm.worker.beat-interval, PT0.1S",
            "imagefarm.worker.beat-interval, PT10M",
            "imagefarm.worker.instance-id, worker/1",
            "imagefarm.worker.log-tail-lines, -1",
            "imagefarm.worker.context.max-bytes, 0",
            "imagefarm.worker.git.connect-timeout, PT0S",
            "imagefarm.worker.git.read-timeout, PT0S",
            "imagefarm.worker.docker.api-timeout, PT0S",
            "imagefarm.worker.clock-offset, P2D",
            "imagefarm.worker.min-free-disk-bytes, -1",
    })
    void aValueTheWorkerCannotRunWithStopsTheStartNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> map(Map.of(key, value)))
                .hasMessageContaining(key)
                .hasMessageContaining(value);
    }
}
