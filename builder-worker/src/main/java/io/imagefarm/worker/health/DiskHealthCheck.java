package io.imagefarm.worker.health;

import io.imagefarm.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the work directory's file system has the configured free space. */
@Readiness
@ApplicationScoped
public class DiskHealthCheck implements HealthCheck {

    private final WorkerConfig config;

    DiskHealthCheck(WorkerConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        Path dir = config.workDir();
        try {
            Files.createDirectories(dir);
            long free = Files.getFileStore(dir).getUsableSpace();
            return HealthCheckResponse.named("disk").status(free >= config.minFreeDiskBytes())
                    .withData("path", dir.toString())
                    .withData("freeBytes", free)
                    .withData("minFreeBytes", config.minFreeDiskBytes())
                    .build();
        } catch (IOException e) {
            return HealthCheckResponse.named("disk").down().withData("error", e.getMessage()).build();
        }
    }
}
