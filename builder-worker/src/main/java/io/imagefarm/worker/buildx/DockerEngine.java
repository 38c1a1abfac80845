package io.imagefarm.worker.buildx;

import io.imagefarm.core.event.EventCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.worker.job.LocalImages;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The Docker Engine through docker-java, for what its API does well: ping, version and info, removing
 * a pushed image, pruning the build cache down to a keep-storage budget. The build itself goes
 * through {@link BuildxBuilder}.
 */
public final class DockerEngine implements LocalImages, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DockerEngine.class);
    private static final ObjectMapper JSON = EventCodec.mapper();

    /** What the worker logs and checks at startup. */
    public record EngineFacts(String version, String apiVersion, String os, String arch, String storageDriver,
                              boolean containerdImageStore) {
    }

    private final DockerHttpClient http;
    private final DockerClient client;
    private final String host;

    public DockerEngine(String dockerHost, Duration timeout) {
        this.host = dockerHost;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        this.http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(timeout)
                .build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    /** Throws when the engine does not answer. */
    public void ping() {
        client.pingCmd().exec();
    }

    public EngineFacts facts() {
        Version version = client.versionCmd().exec();
        Info info = client.infoCmd().exec();
        boolean containerd = info.getDriverStatuses() != null && info.getDriverStatuses().stream()
                .anyMatch(pair -> pair.toString().contains("io.containerd.snapshotter"));
        return new EngineFacts(version.getVersion(), version.getApiVersion(), version.getOperatingSystem(),
                version.getArch(), info.getDriver(), containerd);
    }

    @Override
    public void removeLocalImage(ImageRef image) {
        try {
            client.removeImageCmd(image.toString()).withForce(false).exec();
            LOG.debugf("removed the local copy of %s", image);
        } catch (NotFoundException e) {
            LOG.debugf("no local copy of %s to remove", image);
        }
    }

    /**
     * {@code POST /build/prune?all=1&keep-storage=N}: least recently used cache records go first, until
     * the cache fits the budget. docker-java's PruneCmd has no keep-storage, so this one call goes
     * through its HTTP transport directly.
     */
    @Override
    public void pruneBuildCache(long keepBytes) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.POST)
                .path("/build/prune?all=1&keep-storage=" + keepBytes)
                .build();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            byte[] bytes = body.readAllBytes();
            if (response.getStatusCode() != 200) {
                throw new IllegalStateException("build cache prune on " + host + " answered " + response.getStatusCode()
                        + ": " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }
            JsonNode result = JSON.readTree(bytes);
            LOG.infof("pruned the build cache to %d bytes: %d bytes reclaimed", keepBytes,
                    result.path("SpaceReclaimed").asLong());
        } catch (IOException e) {
            throw new IllegalStateException("build cache prune on " + host + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
