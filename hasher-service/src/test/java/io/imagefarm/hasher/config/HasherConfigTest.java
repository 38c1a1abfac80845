package io.imagefarm.hasher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * The mapping as SmallRye Config builds it at start-up, without booting Quarkus: every number and Duration out of its
 * range stops the start, and the error names the key.
 */
class HasherConfigTest {

    private static HasherConfig map(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of("imagefarm.hasher.instance-id", "test"));
        properties.putAll(overrides);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(HasherConfig.class)
                .build();
        return config.getConfigMapping(HasherConfig.class);
    }

    @Test
    void theDefaultsAreWithinTheirRanges() {
        HasherConfig config = map(Map.of());

        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.registryConcurrency()).isEqualTo(16);
        assertThat(config.topics().replicationFactor()).isEqualTo((short) 1);
        assertThat(config.source().maxFileBytes()).isEqualTo(1_048_576L);
    }

    @Test
    void aUsageIntervalOfZeroStampsEveryResolveAndIsAccepted() {
        assertThat(map(Map.of("imagefarm.hasher.usage-interval", "PT0S")).usageInterval()).isZero();
    }

    @ParameterizedTest
    @CsvSource({
            "imagefarm.hasher.book-window, PT0S",
            "imagefarm.hasher.heartbeat-interval, -PT30S",
            "imagefarm.hasher.in-flight-ttl, 0s",
            "imagefarm.hasher.failure-ttl, PT0S",
            "imagefarm.hasher.usage-interval, -PT1S",
            "imagefarm.hasher.revalidate-interval, -PT1H",
            "imagefarm.hasher.decision-timeout, PT0S",
            "imagefarm.hasher.registry-deadline, soon",
            "imagefarm.hasher.registry-concurrency, 0",
            "imagefarm.hasher.farm.poll-interval, PT0S",
            "imagefarm.hasher.webhook.delivery-memory, 0",
            "imagefarm.hasher.source.timeout, PT0S",
            "imagefarm.hasher.source.fetch-cache-ttl, -PT1M",
            "imagefarm.hasher.source.fetch-cache-size, 0",
            "imagefarm.hasher.source.max-file-bytes, 0",
            "imagefarm.hasher.await.default-timeout, PT0S",
            "imagefarm.hasher.await.max-timeout, PT0S",
            "imagefarm.hasher.await.max-waiters, 0",
            "imagefarm.hasher.topics.partitions, 0",
            "imagefarm.hasher.topics.replication-factor, 0",
            "imagefarm.hasher.topics.min-insync-replicas, 0",
    })
    void aNumberOrDurationOutOfRangeStopsTheStartNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> map(Map.of(key, value)))
                .hasMessageContaining(key)
                .hasMessageContaining(value);
    }
}
