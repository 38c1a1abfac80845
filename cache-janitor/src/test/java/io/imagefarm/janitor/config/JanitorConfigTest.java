package io.imagefarm.janitor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.backend.RepositoryTarget.BackendKind;
import io.imagefarm.janitor.backend.RepositoryTarget.OwnerType;
import io.imagefarm.janitor.policy.PolicySettings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The typed mapping and the targets producer, read as SmallRye reads them at start-up: the keys and env
 * vars the deployment uses (docker-compose.yml, scripts/demo-stack.sh, scripts/compose-stack.sh) still
 * configure the same repositories, and a bad value stops start-up with a message naming its key.
 */
class JanitorConfigTest {

    static JanitorConfig config(Map<String, String> properties, Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(JanitorConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 400), new EnvConfigSource(env, 300))
                .build();
        return config.getConfigMapping(JanitorConfig.class);
    }

    static List<RepositoryTarget> targets(Map<String, String> properties) {
        return new JanitorBeans().targets(config(properties, Map.of()));
    }

    @Test
    void theComposeEnvironmentConfiguresAGhcrRepository() {
        JanitorConfig config = config(Map.of(), Map.of(
                "IMAGEFARM_JANITOR_SCHEDULE_CRON", "off",
                "IMAGEFARM_JANITOR_REPOSITORIES__MAIN__IMAGE", "ghcr.io/acme/widget",
                "IMAGEFARM_JANITOR_REPOSITORIES__MAIN__BACKEND", "ghcr",
                "IMAGEFARM_JANITOR_REPOSITORIES__MAIN__KEEP_HASHES", "1",
                "IMAGEFARM_JANITOR_REPOSITORIES__MAIN__KEEP_USED_DAYS", "0",
                "IMAGEFARM_JANITOR_REPOSITORIES__MAIN__GRACE_PERIOD", "PT0S",
                "IMAGEFARM_JANITOR_REPOSITORIES__MAIN__MAX_DELETION_FRACTION", "1.0",
                "IMAGEFARM_JANITOR_GITHUB_TOKEN_FILE", "/run/secrets/github_token"));

        assertThat(config.schedule().cron()).isEqualTo("off");
        assertThat(config.github().tokenFile()).contains(Path.of("/run/secrets/github_token"));
        assertThat(new JanitorBeans().targets(config)).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("main");
            assertThat(t.image()).isEqualTo("ghcr.io/acme/widget");
            assertThat(t.backend()).isEqualTo(BackendKind.GHCR);
            assertThat(t.ghcrOwner()).isEqualTo(OwnerType.ORG);
            assertThat(t.policy()).isEqualTo(new PolicySettings(1, Duration.ZERO, Duration.ZERO, Set.of("amd64", "arm64"),
                    true, true, 200, 1.0));
        });
    }

    @Test
    void theDemoStackPropertiesConfigureAnOciRepositoryOverTheDefaults() {
        List<RepositoryTarget> targets = targets(Map.of(
                "imagefarm.janitor.repositories.demo.image", "127.0.0.1:5000/demo/sample",
                "imagefarm.janitor.repositories.demo.keep-hashes", "1",
                "imagefarm.janitor.repositories.demo.keep-used-days", "0",
                "imagefarm.janitor.repositories.demo.grace-period", "PT0S",
                "imagefarm.janitor.repositories.demo.max-deletion-fraction", "1.0",
                "imagefarm.janitor.defaults.keep-hashes", "7",
                "imagefarm.janitor.defaults.max-deletions", "50"));

        assertThat(targets).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("demo");
            assertThat(t.repository()).isEqualTo(Repository.of("127.0.0.1:5000", "demo/sample"));
            assertThat(t.backend()).isEqualTo(BackendKind.OCI);
            assertThat(t.policy().keepHashes()).isEqualTo(1);
            assertThat(t.policy().maxDeletions()).isEqualTo(50);
        });
    }

    @Test
    void backendOwnerTypeAndArchesAreReadInAnyCase() {
        List<RepositoryTarget> targets = targets(Map.of(
                "imagefarm.janitor.repositories.a.image", "ghcr.io/octo/widget",
                "imagefarm.janitor.repositories.a.backend", "GHCR",
                "imagefarm.janitor.repositories.a.owner-type", "user",
                "imagefarm.janitor.repositories.a.arches", "linux/arm64,AMD64,s390x",
                "imagefarm.janitor.repositories.b.image", "registry.acme.internal:5000/acme/gadget",
                "imagefarm.janitor.repositories.b.backend", "oci"));

        assertThat(targets).extracting(RepositoryTarget::id).containsExactly("a", "b");
        assertThat(targets.get(0).backend()).isEqualTo(BackendKind.GHCR);
        assertThat(targets.get(0).ghcrOwner()).isEqualTo(OwnerType.USER);
        assertThat(targets.get(0).policy().arches()).containsExactlyInAnyOrder("arm64", "amd64", "s390x");
        assertThat(targets.get(1).backend()).isEqualTo(BackendKind.OCI);
    }

    @Test
    void anImageWithoutARegistryHostStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> targets(Map.of("imagefarm.janitor.repositories.x.image", "acme/widget")))
                .hasMessageContaining("imagefarm.janitor.repositories.x.image")
                .hasMessageContaining("must start with a registry host")
                .hasMessageNotContaining(":latest");
    }

    @Test
    void anImageWithATagStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> targets(Map.of("imagefarm.janitor.repositories.x.image", "ghcr.io/acme/widget:v1")))
                .hasMessageContaining("imagefarm.janitor.repositories.x.image")
                .hasMessageContaining("no tag or digest");
    }

    @Test
    void anUnknownBackendStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> targets(Map.of(
                "imagefarm.janitor.repositories.x.image", "ghcr.io/acme/widget",
                "imagefarm.janitor.repositories.x.backend", "s3")))
                .hasMessageContaining("imagefarm.janitor.repositories.x.backend");
    }

    @Test
    void anUnknownArchStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> targets(Map.of("imagefarm.janitor.defaults.arches", "amd64,sparc")))
                .hasMessageContaining("imagefarm.janitor.defaults.arches")
                .hasMessageContaining("unknown architecture 'sparc'");
    }

    @ParameterizedTest
    @CsvSource({
            "imagefarm.janitor.usage-read-timeout, PT0S",
            "imagefarm.janitor.defaults.keep-hashes, -1",
            "imagefarm.janitor.defaults.keep-used-days, -1",
            "imagefarm.janitor.defaults.grace-period, -PT1H",
            "imagefarm.janitor.defaults.max-deletions, -1",
            "imagefarm.janitor.defaults.max-deletion-fraction, 1.5",
            "imagefarm.janitor.repositories.x.keep-hashes, -1",
            "imagefarm.janitor.repositories.x.keep-used-days, -2",
            "imagefarm.janitor.repositories.x.grace-period, -P1D",
            "imagefarm.janitor.repositories.x.max-deletions, -3",
            "imagefarm.janitor.repositories.x.max-deletion-fraction, 1.5",
            "imagefarm.janitor.github.per-page, 0",
            "imagefarm.janitor.github.deletes-per-minute, 0",
            "imagefarm.janitor.github.max-rate-limit-wait, -PT1M",
            "imagefarm.janitor.lease.session-timeout, 0s",
    })
    void aNumberOrDurationOutOfRangeStopsStartUpNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> targets(Map.of("imagefarm.janitor.repositories.x.image", "ghcr.io/acme/widget", key, value)))
                .hasMessageContaining(key)
                .hasMessageContaining(value);
    }
}
