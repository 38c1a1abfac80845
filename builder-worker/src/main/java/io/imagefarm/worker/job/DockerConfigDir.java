package io.imagefarm.worker.job;

import io.imagefarm.core.event.EventCodec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagefarm.registry.RegistryCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@code DOCKER_CONFIG} directory of one build: mode 0700, its {@code config.json} mode 0600 with
 * the registry credentials, deleted on {@link #close()}. The credentials reach buildx only through
 * this file, never through arguments, environment values, build args or logs.
 */
public final class DockerConfigDir implements AutoCloseable {

    private static final ObjectMapper JSON = EventCodec.mapper();

    private final Path dir;

    private DockerConfigDir(Path dir) {
        this.dir = dir;
    }

    public static DockerConfigDir create(Path parent, Map<String, RegistryCredentials> credentials) {
        try {
            Files.createDirectories(parent);
            Path dir = Files.createTempDirectory(parent, "docker-config-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            ObjectNode config = JSON.createObjectNode();
            ObjectNode auths = config.putObject("auths");
            credentials.forEach((registry, c) -> auths.putObject(registry).put("auth", Base64.getEncoder()
                    .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))));
            Path file = dir.resolve("config.json");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, JSON.writeValueAsBytes(config));
            return new DockerConfigDir(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a DOCKER_CONFIG directory under " + parent, e);
        }
    }

    public Path path() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the DOCKER_CONFIG directory " + dir, e);
        }
    }
}
