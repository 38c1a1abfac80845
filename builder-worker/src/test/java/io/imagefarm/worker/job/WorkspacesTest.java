package io.imagefarm.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.image.ImageRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspacesTest {

    private static final ImageRef IMAGE = ImageRef.parse("127.0.0.1:5000/acme/widget:builder-0123456789abcdef-amd64");

    @TempDir
    Path workDir;

    private Path plantJobFolder(String name) throws IOException {
        Path job = workDir.resolve(name);
        Path config = Files.createDirectories(job.resolve("source/docker-config-1"));
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"r\":{\"auth\":\"c2VjcmV0\"}}}");
        return job;
    }

    @Test
    void aJobFolderIsPrivateToTheWorker() {
        Path job = new Workspaces(workDir).create(IMAGE);

        assertThat(job.getFileName().toString()).startsWith("job-");
        assertThat(job.getParent()).isEqualTo(workDir);
        try {
            assertThat(Files.getPosixFilePermissions(job)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void leftoverJobFoldersAreRemovedAndNothingElse() throws IOException {
        Path left = plantJobFolder("job-123456");
        Path other = Files.writeString(workDir.resolve("operator-notes.txt"), "keep");
        Path outside = Files.createDirectories(workDir.resolve("not-a-job"));

        List<Path> removed = new Workspaces(workDir).removeLeftovers();

        assertThat(removed).containsExactly(left);
        assertThat(left).doesNotExist();
        assertThat(other).exists();
        assertThat(outside).exists();
    }

    @Test
    void aMissingWorkDirHasNoLeftovers() {
        assertThat(new Workspaces(workDir.resolve("absent")).removeLeftovers()).isEmpty();
    }

    @Test
    void deletionRemovesReadOnlyDirectoriesAndNeverFollowsSymlinks(@TempDir Path elsewhere) throws IOException {
        Path keep = Files.writeString(elsewhere.resolve("keep.txt"), "outside the job");
        Path job = new Workspaces(workDir).create(IMAGE);
        Path ro = Files.createDirectories(job.resolve("context/read-only"));
        Files.writeString(ro.resolve("file"), "x");
        Files.createSymbolicLink(job.resolve("context/link"), elsewhere);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-x------"));

        assertThat(new Workspaces(workDir).delete(job)).isTrue();

        assertThat(job).doesNotExist();
        assertThat(keep).hasContent("outside the job");
    }
}
