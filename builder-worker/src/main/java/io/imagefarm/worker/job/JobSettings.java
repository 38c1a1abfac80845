package io.imagefarm.worker.job;

import io.imagefarm.core.event.WorkerBeat;
import io.imagefarm.core.image.Arch;
import io.imagefarm.registry.RegistryCredentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link BuildJob} runs, filled from the worker's configuration.
 *
 * @param registry       the registry this worker pushes to: events for any other are refused
 * @param buildTimeout   one {@code buildx build} attempt (cut to what is left of the retry budget)
 * @param retry          when a transient failure gets another attempt (through the retry topic)
 * @param cacheKeepBytes after each build the build cache is pruned to this size; negative: never pruned
 * @param logTailLines   lines of build output carried by a FAILED status
 * @param heartbeat      BUILDING is published again this often while a build runs
 * @param builderId      names this worker in the provenance of what it builds ({@link #builderId(Arch, String)})
 */
public record JobSettings(Arch arch, String registry, Duration buildTimeout, RetryPolicy retry, boolean hostNetwork,
                          Path workDir, long cacheKeepBytes, int logTailLines, Duration heartbeat,
                          Map<String, RegistryCredentials> credentials, URI builderId) {

    public JobSettings {
        credentials = Map.copyOf(credentials);
        Objects.requireNonNull(builderId, "builderId");
    }

    /**
     * The provenance's {@code builder.id} of a worker: {@code urn:imagefarm:builder-worker:<arch>:<instance id>}.
     * The instance id is a worker beat's ({@code A-Z a-z 0-9 . _ -}), so the URN needs no escaping.
     */
    public static URI builderId(Arch arch, String instanceId) {
        return URI.create("urn:imagefarm:builder-worker:" + arch.id() + ":" + WorkerBeat.requireInstanceId(instanceId));
    }

    @Override
    public String toString() {
        return "JobSettings[arch=" + arch + ", registry=" + registry + ", buildTimeout=" + buildTimeout
                + ", retry=" + retry + ", hostNetwork=" + hostNetwork + ", workDir=" + workDir
                + ", registries with credentials=" + credentials.keySet() + ", builderId=" + builderId + "]";
    }
}
