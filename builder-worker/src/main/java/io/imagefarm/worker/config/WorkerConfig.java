package io.imagefarm.worker.config;

import io.imagefarm.core.image.Arch;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Everything the worker reads from configuration; see README for the env var names. */
@ConfigMapping(prefix = "imagefarm.worker")
public interface WorkerConfig {

    /** The arch this worker builds: selects the topic and the consumer group {@code builder-<arch>}. */
    Arch arch();

    /** One {@code buildx build} attempt. */
    @WithDefault("PT30M")
    Duration buildTimeout();

    /** All attempts of one event, backoffs included. The connector's max-age must exceed it. */
    @WithDefault("PT45M")
    Duration retryBudget();

    @WithDefault("PT5S")
    Duration initialBackoff();

    @WithDefault("PT1M")
    Duration maxBackoff();

    /** On SIGTERM, how long the build in flight may still take before it is abandoned (and redelivered). */
    @WithDefault("PT2M")
    Duration shutdownGrace();

    /** {@code --network host} for RUN steps: for engines without a default bridge. */
    @WithDefault("false")
    boolean networkHost();

    /** Per-build workspaces (source, context, DOCKER_CONFIG) live here and are deleted after each build. */
    @WithDefault("${java.io.tmpdir}/imagefarm-worker")
    Path workDir();

    Context context();

    Docker docker();

    /** Credentials per registry host, e.g. {@code imagefarm.worker.registries."ghcr.io".username}. */
    Map<String, RegistryAuth> registries();

    /** Lines of build output a FAILED status carries. */
    @WithDefault("40")
    int logTailLines();

    /** Readiness is DOWN when the work directory's file system has less free space than this. */
    @WithDefault("2147483648")
    long minFreeDiskBytes();

    interface Context {
        /** Total file content of one build context. */
        @WithDefault("536870912")
        long maxBytes();

        /** URL schemes a sourceUrl may use. */
        @WithDefault("https")
        Set<String> allowedSchemes();
    }

    interface Docker {
        @WithDefault("unix:///var/run/docker.sock")
        String host();

        /** The docker CLI that runs buildx. */
        @WithDefault("docker")
        String cli();

        /** After each build the build cache is pruned to this many bytes; negative turns pruning off. */
        @WithDefault("21474836480")
        long cacheKeepStorageBytes();

        @WithDefault("PT2M")
        Duration apiTimeout();
    }

    interface RegistryAuth {
        /** Unset or empty: the worker pushes to this registry anonymously (a deployment template may leave it blank). */
        Optional<String> username();

        /** The password or token itself (from an env var or a secret store). */
        Optional<String> password();

        /** A file holding the password or token (a mounted secret); used when {@code password} is unset. */
        Optional<Path> passwordFile();
    }
}
