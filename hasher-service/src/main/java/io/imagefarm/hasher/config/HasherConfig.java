package io.imagefarm.hasher.config;

import io.imagefarm.core.image.Arch;
import io.imagefarm.registry.config.Checked;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every hasher setting; each key is overridable by its env var (IMAGEFARM_HASHER_...). Every number and Duration names
 * its range ({@link Checked}): a value out of it stops start-up with SmallRye's message naming the key.
 */
@ConfigMapping(prefix = "imagefarm.hasher")
public interface HasherConfig {

    /**
     * The status book keeps the hashes requested within this window (and any in flight); older ones
     * are forgotten in memory, and a resolve asks the registry about them again.
     */
    @WithDefault("P7D")
    @WithConverter(Checked.PositiveDuration.class)
    Duration bookWindow();

    /** This replica's stable name: its Kafka transactional.id is derived from it. Unique per replica. */
    String instanceId();

    /** Registry that holds the builder images. */
    @WithDefault("ghcr.io")
    String registry();

    /** Arches every builder image is built for; one topic and one worker pool per arch. */
    @WithDefault("amd64,arm64")
    List<Arch> arches();

    /** A REQUESTED image (queued: no worker has it yet) younger than this makes new requests publish nothing. */
    @WithDefault("PT30M")
    @WithConverter(Checked.PositiveDuration.class)
    Duration inFlightTtl();

    /**
     * Workers publish BUILDING this often while they build (imagefarm.worker.heartbeat-interval); a
     * BUILDING image without a beat for three intervals is abandoned, and a later resolve requests it again.
     */
    @WithDefault("PT30S")
    @WithConverter(Checked.PositiveDuration.class)
    Duration heartbeatInterval();

    /**
     * A permanent failure (build error, inputs mismatch, ...) younger than this is answered FAILED to
     * every resolve of its hash, and nothing is published; an admin's retry forgets it sooner.
     */
    @WithDefault("PT1H")
    @WithConverter(Checked.PositiveDuration.class)
    Duration failureTtl();

    /**
     * A resolve stamps its hash's last use (the index ref's lastRequestedAt, which the janitor's retention
     * by use reads) at most this often per hash and replica: the janitor reasons in days, and a resolve of
     * a known image then writes nothing to Kafka. Zero stamps every resolve (the fault suite does).
     */
    @WithDefault("PT1H")
    @WithConverter(Checked.NonNegativeDuration.class)
    Duration usageInterval();

    /**
     * Images the status book knows as available are answered from memory; this often, off the request
     * path, the replica asks the registry whether they are still there (a tag deleted behind imagefarm's
     * back is then forgotten, and the next resolve requests it again; a tag pushed over is FAILED
     * TAG_MOVED; a signed index's deleted signature is signed again). The janitor's deletions arrive at
     * once, as DELETED on the status topic.
     */
    @WithDefault("PT1H")
    @WithConverter(Checked.PositiveDuration.class)
    Duration revalidateInterval();

    /**
     * A resolve that proposed a request answers once the replica deciding it (the owner of the arch's
     * partition of the requests topic) did, and its decision reached this replica's book; past this
     * it answers 503 (the request stays queued and is decided).
     */
    @WithDefault("PT20S")
    @WithConverter(Checked.PositiveDuration.class)
    Duration decisionTimeout();

    /**
     * How long a resolve waits for its registry lookups (the arches in parallel); past it, 503
     * registry-unavailable. A registry that does not answer must not hold CI for the registry client's
     * timeouts and retries (30 s read timeout, 4 attempts).
     */
    @WithDefault("PT10S")
    @WithConverter(Checked.PositiveDuration.class)
    Duration registryDeadline();

    /** Registry lookups of one resolve run in parallel, on at most this many threads per replica. */
    @WithDefault("16")
    @WithConverter(Checked.Positive.class)
    int registryConcurrency();

    /** Owners ({@code acme}), repositories ({@code acme/widget}) or owner globs ({@code acme/*}) the farm builds for. Empty: none. */
    Optional<List<String>> allowList();

    Webhook webhook();

    Signing signing();

    Source source();

    Wait await();

    Topics topics();

    Api api();

    Farm farm();

    /** The dashboard's farm view (workers' beats come from imagefarm.workers; this is what is looked up). */
    interface Farm {
        /**
         * Each arch's worker group lag and the brokers (up, in sync) are looked up this often through a Kafka
         * admin client, off the request path; the page shows the last look and its age.
         */
        @WithDefault("PT5S")
        @WithConverter(Checked.PositiveDuration.class)
        Duration pollInterval();
    }

    interface Api {
        /** Status and wait answer callers without a credential (e.g. a dashboard on a trusted network). */
        @WithDefault("false")
        boolean anonymousRead();
    }

    interface Signing {
        /**
         * The key the assembled images are signed with, in cosign's format: an unencrypted PKCS#8 PEM ECDSA
         * P-256 private key (e.g. a mounted secret). Unset: nothing is signed, and the status API says so.
         */
        Optional<Path> keyFile();
    }

    interface Webhook {
        /** The GitHub webhook secret (prefer secret-file in deployments). */
        Optional<String> secret();

        /** A file holding the webhook secret, e.g. a mounted Docker/Kubernetes secret. */
        Optional<Path> secretFile();

        /** How many delivery GUIDs are remembered for redelivery detection. */
        @WithDefault("10000")
        @WithConverter(Checked.Positive.class)
        int deliveryMemory();
    }

    /** Where files at a commit come from. */
    enum SourceKind {
        /** Any git remote, through git-fetch (the workers' fetch). */
        GIT,
        /** GitHub's REST contents API. */
        GITHUB
    }

    interface Source {
        /** {@code git} or {@code github}. */
        @WithDefault("git")
        SourceKind kind();

        /** GitHub REST API base, for kind=github (GitHub Enterprise: https://HOST/api/v3). */
        @WithDefault("https://api.github.com")
        java.net.URI githubApiUrl();

        /** Git remote for a repository when the request names none; {repository} is OWNER/NAME. */
        @WithDefault("https://github.com/{repository}.git")
        String gitUrlTemplate();

        /**
         * Git remotes an API caller may name as {@code sourceUrl}: {repository} is OWNER/NAME, {@code *}
         * any text within a path segment, {@code **} any text. A signed webhook's clone_url needs none.
         */
        @WithDefault("https://github.com/{repository}.git")
        List<String> allowedUrlPatterns();

        /** Token for private repositories (sent as the password of x-access-token). */
        Optional<String> token();

        Optional<Path> tokenFile();

        @WithDefault("PT20S")
        @WithConverter(Checked.PositiveDuration.class)
        Duration timeout();

        /**
         * Concurrent resolves of one (repository, source, commit) share one fetch, and its files are
         * kept this long (a commit's files never change), for at most {@code fetch-cache-size} commits.
         */
        @WithDefault("PT1M")
        @WithConverter(Checked.PositiveDuration.class)
        Duration fetchCacheTtl();

        @WithDefault("1000")
        @WithConverter(Checked.Positive.class)
        int fetchCacheSize();

        /** Larger hash inputs are refused. */
        @WithDefault("1048576")
        @WithConverter(Checked.PositiveBytes.class)
        long maxFileBytes();
    }

    interface Wait {
        /** Timeout of the wait endpoint when the caller gives none. */
        @WithDefault("PT5M")
        @WithConverter(Checked.PositiveDuration.class)
        Duration defaultTimeout();

        /** Upper bound of the wait endpoint's timeout. */
        @WithDefault("PT30M")
        @WithConverter(Checked.PositiveDuration.class)
        Duration maxTimeout();

        /** Requests waiting at once on this replica; more are answered 429 with Retry-After. */
        @WithDefault("1000")
        @WithConverter(Checked.Positive.class)
        int maxWaiters();
    }

    interface Topics {
        /** Created at start-up when missing (with {@code auto.create.topics.enable=false}, as brokers should run). */
        @WithDefault("true")
        boolean create();

        /**
         * Partitions of the work queues ({@code image-required.<arch>} and its retry topic), the status
         * topic and the requests topic: at least the most workers of one arch (a worker beyond it idles)
         * and the most hasher replicas that decide requests. A work queue with fewer is grown to this at
         * start-up (its events carry no order between keys, so nothing is lost); the keyed status and
         * requests topics are never grown (that would move keys between partitions): readiness is DOWN
         * instead, naming the topic.
         */
        @WithDefault("12")
        @WithConverter(Checked.Positive.class)
        int partitions();

        /** Replicas of every topic: 3 on a cluster, 1 on a single broker. Fewer on an existing topic: readiness DOWN. */
        @WithDefault("1")
        @WithConverter(Checked.PositiveShort.class)
        short replicationFactor();

        /** {@code min.insync.replicas} of every topic: 2 with three replicas, so acks=all survives one broker lost. */
        @WithDefault("1")
        @WithConverter(Checked.Positive.class)
        int minInsyncReplicas();
    }
}
