package io.imagefarm.worker.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A work directory as a killed worker leaves it: before Quarkus starts, a job folder with a
 * DOCKER_CONFIG holding registry credentials, next to a file that is not the worker's. Sets
 * {@code imagefarm.worker.work-dir}; fields annotated {@link LeftBehind} receive the job folder,
 * {@link NotAJob} the other file.
 */
public final class LeftoverJobFolderResource implements QuarkusTestResourceLifecycleManager {

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface LeftBehind {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface NotAJob {
    }

    private Path workDir;
    private Path jobFolder;
    private Path notAJob;

    @Override
    public Map<String, String> start() {
        try {
            workDir = Files.createTempDirectory("imagefarm-worker-it-");
            jobFolder = workDir.resolve("job-4711-left-by-a-killed-worker");
            Path dockerConfig = Files.createDirectories(jobFolder.resolve("docker-config-4711"));
            Files.writeString(dockerConfig.resolve("config.json"),
                    "{\"auths\":{\"ghcr.io\":{\"auth\":\"Y2k6bGVmdC1iZWhpbmQtc2VjcmV0\"}}}");
            Files.createDirectories(jobFolder.resolve("source/context"));
            notAJob = Files.writeString(workDir.resolve("README.operator"), "not the worker's");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("imagefarm.worker.work-dir", workDir.toString());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(jobFolder, new TestInjector.AnnotatedAndMatchesType(LeftBehind.class, Path.class));
        testInjector.injectIntoFields(notAJob, new TestInjector.AnnotatedAndMatchesType(NotAJob.class, Path.class));
    }

    @Override
    public void stop() {
        try (var paths = Files.walk(workDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
