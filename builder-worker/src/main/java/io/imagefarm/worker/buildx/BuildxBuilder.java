package io.imagefarm.worker.buildx;

import io.imagefarm.core.event.EventCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.FailureKind;
import io.imagefarm.core.image.Arch;
import io.imagefarm.worker.job.BuildAbandonedException;
import io.imagefarm.worker.job.BuildOutcome;
import io.imagefarm.worker.job.BuildRequest;
import io.imagefarm.worker.job.Builder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Builds and pushes with {@code docker buildx build} and the seed's flags:
 * {@code --platform linux/<arch> --cache-from type=registry,ref=<cache>
 * --cache-to type=registry,ref=<cache>,mode=max,image-manifest=true --push}, plus {@code -f},
 * {@code --provenance=mode=max,builder-id=<worker>} (the tag is then an index holding the image manifest
 * and an attestation manifest with SLSA provenance, whose materials name the base image's digest),
 * OCI labels, OCI annotations on the index and the image manifest, and {@code --network host} where the
 * deployment says so. Every label and annotation is one argument ({@code --label=k=v}), never parsed by
 * a shell.
 *
 * <p>The pushed digest is read from {@code --metadata-file} ({@code containerimage.digest}, the per-arch
 * index's), never from a tag lookup.
 *
 * <p>The CLI is used because the engine's plain build API has no BuildKit session, so it can neither
 * export a registry cache nor pull from a private registry.
 */
public final class BuildxBuilder implements Builder {

    private static final Logger LOG = Logger.getLogger(BuildxBuilder.class);
    private static final ObjectMapper JSON = EventCodec.mapper();
    /** Where annotations go: the per-arch index and the image manifest in it. */
    static final List<String> ANNOTATED = List.of("index", "manifest");

    private final String dockerBinary;
    private final Map<String, String> environment;
    private final int tailLines;

    /**
     * @param environment extra environment for the CLI, e.g. {@code DOCKER_HOST}; never credentials
     */
    public BuildxBuilder(String dockerBinary, Map<String, String> environment, int tailLines) {
        this.dockerBinary = dockerBinary;
        this.environment = Map.copyOf(environment);
        this.tailLines = tailLines;
    }

    /** The full command line of one build (no secrets: those are in the DOCKER_CONFIG directory). */
    List<String> command(BuildRequest r, Path metadataFile) {
        List<String> cmd = new ArrayList<>(List.of(dockerBinary, "buildx", "build",
                "--platform", r.arch().platform(),
                "--cache-from", "type=registry,ref=" + r.cache(),
                "--cache-to", "type=registry,ref=" + r.cache() + ",mode=max,image-manifest=true",
                "--push",
                "--provenance=mode=max,builder-id=" + r.builderId(),
                "--progress=rawjson",
                "--metadata-file", metadataFile.toString(),
                "-f", r.dockerfile().toString(),
                "--tag", r.image().toString()));
        if (r.hostNetwork()) {
            cmd.addAll(List.of("--network", "host"));
        }
        new TreeMap<>(r.labels()).forEach((k, v) -> cmd.add("--label=" + k + "=" + v));
        // "<type>:<key>=<value>", split at the first '=', so the value may hold ':' and ','. One type per
        // flag: buildx 0.13.1 takes "index,manifest:" as part of the key.
        new TreeMap<>(r.annotations()).forEach((k, v) -> ANNOTATED.forEach(type -> cmd.add("--annotation=" + type + ":" + k + "=" + v)));
        cmd.add(r.contextDir().toString());
        return cmd;
    }

    @Override
    public BuildOutcome build(BuildRequest request) {
        Path metadata = request.dockerConfig().resolve("build-metadata.json");
        List<String> cmd = command(request, metadata);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(request.contextDir().toFile());
        pb.environment().putAll(environment);
        pb.environment().put("DOCKER_CONFIG", request.dockerConfig().toString());
        pb.redirectErrorStream(true);
        String who = request.image() + " (" + request.arch().platform() + ")";
        BuildProgress progress = new BuildProgress(tailLines, line -> LOG.infof("%s: %s", request.image(), line));
        Instant start = Instant.now();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return new BuildOutcome.Failed(FailureKind.ENGINE_UNAVAILABLE,
                    "cannot run " + dockerBinary + " buildx: " + e.getMessage(), "");
        }
        LOG.infof("building %s: %s", who, String.join(" ", cmd));
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> read(process, progress::accept));
        try {
            process.getOutputStream().close();
            if (!process.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process);
                return new BuildOutcome.Failed(FailureKind.TIMEOUT,
                        "build of " + who + " did not finish within " + request.timeout(), progressTail(reader, progress));
            }
            reader.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new BuildAbandonedException("build of " + who + " stopped: its thread was interrupted");
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            stop(process);
            return new BuildOutcome.Failed(FailureKind.ENGINE_UNAVAILABLE,
                    "lost the output of " + dockerBinary + " buildx: " + e.getMessage(), progress.tail());
        }
        Duration total = Duration.between(start, Instant.now());
        if (process.exitValue() != 0) {
            BuildOutcome.Failed failed = FailureClassifier.classify(progress.errorText(), progress.tail());
            LOG.warnf("build of %s failed (%s, %s): %s", who, failed.kind(),
                    failed.kind().isTransient() ? "transient" : "permanent", failed.reason());
            return failed;
        }
        Optional<String> digest = digest(metadata);
        if (digest.isEmpty()) {
            return new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE,
                    "buildx reported success for " + who + " but wrote no pushed digest", progress.tail());
        }
        Duration push = progress.exportTime();
        Duration build = total.minus(push).isNegative() ? Duration.ZERO : total.minus(push);
        LOG.infof("built %s in %d ms (push %d ms): %s, %d/%d steps cached", who, total.toMillis(), push.toMillis(),
                digest.get(), progress.cachedSteps(), progress.totalSteps());
        return new BuildOutcome.Pushed(digest.get(), build, push, progress.cachedSteps(), progress.totalSteps());
    }

    /** {@code docker buildx version}; fails with a message naming the missing part. */
    public String buildxVersion() {
        String out = run(List.of(dockerBinary, "buildx", "version"), "docker buildx plugin");
        return out.strip();
    }

    /** The platforms the current builder can build, from {@code docker buildx inspect --bootstrap}. */
    private List<String> supportedPlatforms() {
        return parsePlatforms(run(List.of(dockerBinary, "buildx", "inspect", "--bootstrap"), "docker buildx builder"));
    }

    /** Throws with a clear message unless the builder lists {@code linux/<arch>}. */
    public void requirePlatform(Arch arch) {
        List<String> platforms = supportedPlatforms();
        if (!platforms.contains(arch.platform())) {
            throw new BuildHostException("this host cannot build " + arch.platform() + ": the buildx builder supports "
                    + platforms + ". For arm64 on an amd64 host install QEMU binfmt handlers (qemu-user-static, "
                    + "binfmt-support), or run the worker on a native " + arch.id() + " host.");
        }
    }

    static List<String> parsePlatforms(String inspectOutput) {
        List<String> platforms = new ArrayList<>();
        for (String line : inspectOutput.split("\n")) {
            String l = line.strip();
            if (l.startsWith("Platforms:")) {
                for (String p : l.substring("Platforms:".length()).split(",")) {
                    String platform = p.strip().replace("*", "");
                    if (!platform.isEmpty() && !platforms.contains(platform)) {
                        platforms.add(platform);
                    }
                }
            }
        }
        return platforms;
    }

    private String run(List<String> cmd, String part) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BuildHostException(part + ": '" + String.join(" ", cmd) + "' did not answer within 60 s");
            }
            String text = out.join();
            if (p.exitValue() != 0) {
                throw new BuildHostException(part + " is missing or broken: '" + String.join(" ", cmd) + "' exited "
                        + p.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new BuildHostException(part + ": cannot run " + dockerBinary + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildHostException(part + ": interrupted");
        }
    }

    private static String progressTail(CompletableFuture<Void> reader, BuildProgress progress) {
        try {
            reader.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the tail so far is what there is
        }
        return progress.tail();
    }

    private static void read(Process process, Consumer<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM to the buildx client (it cancels the build in BuildKit), then SIGKILL after a while. */
    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Optional<String> digest(Path metadata) {
        try {
            if (!Files.exists(metadata)) {
                return Optional.empty();
            }
            JsonNode json = JSON.readTree(metadata.toFile());
            return Optional.ofNullable(json.path("containerimage.digest").asText(null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build metadata " + metadata, e);
        }
    }
}
