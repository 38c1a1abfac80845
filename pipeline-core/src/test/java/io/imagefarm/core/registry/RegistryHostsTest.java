package io.imagefarm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryHostsTest {

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:5000", "LOCALHOST:5000", "127.0.0.1", "127.0.0.1:5000", "127.1.2.3:443",
            "[::1]", "[::1]:5000"})
    void loopbackRegistriesAreReachedOverHttp(String registry) {
        assertThat(RegistryHosts.isLoopback(registry)).isTrue();
        assertThat(RegistryHosts.scheme(registry, Set.of())).isEqualTo("http");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ghcr.io", "127.example.com", "127.0.0.1.nip.io:5000", "127.0.0.256", "localhost.example.com",
            "[::2]:5000", "203.0.113.5:5000", "my-localhost:5000"})
    void anyOtherHostIsReachedOverHttpsEvenIfItsNameStartsLikeALoopbackAddress(String registry) {
        assertThat(RegistryHosts.isLoopback(registry)).isFalse();
        assertThat(RegistryHosts.scheme(registry, Set.of())).isEqualTo("https");
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry.farm.internal:5000"})
    void aRegistryListedAsPlainHttpIsReachedOverHttpAndOnlyThatOne(String registry) {
        assertThat(RegistryHosts.scheme(registry, Set.of(registry))).isEqualTo("http");
        assertThat(RegistryHosts.scheme("registry.farm.internal", Set.of(registry))).as("another port is another registry")
                .isEqualTo("https");
    }
}
