package io.imagefarm.janitor.config;

import io.imagefarm.core.image.Arch;
import io.imagefarm.janitor.backend.RepositoryTarget.BackendKind;
import io.imagefarm.janitor.backend.RepositoryTarget.OwnerType;
import io.imagefarm.registry.config.Checked;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the janitor reads from config; README "Configuration" lists each key with its env var. Values
 * are typed (enums, {@link io.imagefarm.core.image.Repository}, {@link Arch}, {@link Duration}), and every number and
 * Duration names its range ({@link Checked}): a bad one stops start-up with SmallRye's message naming the key. Defaults
 * are the {@code @WithDefault}s here (PolicySettings has none of its own).
 */
@ConfigMapping(prefix = "imagefarm.janitor")
public interface JanitorConfig {

    Schedule schedule();

    /** Manual runs ({@code POST /api/v1/janitor/runs}) are dry runs unless the request says otherwise. */
    @WithDefault("true")
    boolean manualDryRunDefault();

    /** Policy defaults; each repository can override any of them. */
    Policy defaults();

    /** Repositories to scan, by id: {@code imagefarm.janitor.repositories.<id>.image=...}. */
    Map<String, Repository> repositories();

    Github github();

    Lease lease();

    /** How long a run may take to read the status topic to its end. */
    @WithDefault("PT30S")
    @WithConverter(Checked.PositiveDuration.class)
    Duration usageReadTimeout();

    interface Schedule {
        /** Quartz cron (seconds first); {@code off} disables the schedule. */
        @WithDefault("0 0 3 * * ?")
        String cron();
    }

    interface Policy {
        @WithDefault("5")
        @WithConverter(Checked.NonNegative.class)
        int keepHashes();

        @WithDefault("14")
        @WithConverter(Checked.NonNegative.class)
        int keepUsedDays();

        @WithDefault("P2D")
        @WithConverter(Checked.NonNegativeDuration.class)
        Duration gracePeriod();

        @WithDefault("amd64,arm64")
        List<@WithConverter(ArchConverter.class) Arch> arches();

        @WithDefault("true")
        boolean deleteLegacyCache();

        @WithDefault("true")
        boolean deleteUntagged();

        @WithDefault("200")
        @WithConverter(Checked.NonNegative.class)
        int maxDeletions();

        @WithDefault("0.5")
        @WithConverter(Checked.Fraction.class)
        double maxDeletionFraction();
    }

    interface Repository {
        /** {@code registry/repository}, e.g. {@code ghcr.io/acme/widget} or {@code 127.0.0.1:5000/acme/widget}. */
        @WithConverter(RepositoryConverter.class)
        io.imagefarm.core.image.Repository image();

        /** {@code oci} or {@code ghcr}. */
        @WithDefault("oci")
        BackendKind backend();

        /** ghcr only: {@code org} or {@code user}, which owns the package. */
        @WithDefault("org")
        OwnerType ownerType();

        @WithConverter(Checked.NonNegative.class)
        Optional<Integer> keepHashes();

        @WithConverter(Checked.NonNegative.class)
        Optional<Integer> keepUsedDays();

        @WithConverter(Checked.NonNegativeDuration.class)
        Optional<Duration> gracePeriod();

        Optional<List<@WithConverter(ArchConverter.class) Arch>> arches();

        Optional<Boolean> deleteLegacyCache();

        Optional<Boolean> deleteUntagged();

        @WithConverter(Checked.NonNegative.class)
        Optional<Integer> maxDeletions();

        @WithConverter(Checked.Fraction.class)
        Optional<Double> maxDeletionFraction();
    }

    interface Github {
        @WithDefault("https://api.github.com")
        URI apiUrl();

        /** A token with read:packages and delete:packages; also the ghcr.io registry password if no credentials are set. */
        Optional<String> token();

        /** A file holding that token (a mounted secret); wins over {@code token}. */
        Optional<Path> tokenFile();

        @WithDefault("100")
        @WithConverter(Checked.PageSize.class)
        int perPage();

        /** Stay under GitHub's ~180 deletes a minute per endpoint. */
        @WithDefault("150")
        @WithConverter(Checked.Positive.class)
        int deletesPerMinute();

        /** At most this much waiting for rate limits per run; past it the rest is deferred to the next run. */
        @WithDefault("PT5M")
        @WithConverter(Checked.NonNegativeDuration.class)
        Duration maxRateLimitWait();
    }

    interface Lease {
        /** Off only for a single replica that has no Kafka group to join. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("imagefarm.janitor-lease")
        String topic();

        @WithDefault("imagefarm-cache-janitor")
        String group();

        @WithDefault("PT10S")
        @WithConverter(Checked.PositiveDuration.class)
        Duration sessionTimeout();
    }
}
