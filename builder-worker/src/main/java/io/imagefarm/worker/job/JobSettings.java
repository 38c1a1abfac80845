package io.imagefarm.worker.job;

import io.imagefarm.core.image.Arch;
import io.imagefarm.registry.RegistryCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How a {@link BuildJob} runs, filled from the worker's configuration.
 *
 * @param registry       the registry this worker pushes to: events for any other are refused
 * @param buildTimeout   one {@code buildx build} attempt (cut to what is left of the retry budget)
 * @param retry          when a transient failure gets another attempt (through the retry topic)
 * @param cacheKeepBytes after each build the build cache is pruned to this size; negative: never pruned
 * @param logTailLines   lines of build output carried by a FAILED status
 * @param heartbeat      BUILDING is published again this often while a build runs
 */
public record JobSettings(Arch arch, String registry, Duration buildTimeout, RetryPolicy retry, boolean hostNetwork,
                          Path workDir, long cacheKeepBytes, int logTailLines, Duration heartbeat,
                          Map<String, RegistryCredentials> credentials) {

    public JobSettings {
        credentials = Map.copyOf(credentials);
    }

    @Override
    public String toString() {
        return "JobSettings[arch=" + arch + ", registry=" + registry + ", buildTimeout=" + buildTimeout
                + ", retry=" + retry + ", hostNetwork=" + hostNetwork + ", workDir=" + workDir
                + ", registries with credentials=" + credentials.keySet() + "]";
    }
}
