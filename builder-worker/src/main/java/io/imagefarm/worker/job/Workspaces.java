package io.imagefarm.worker.job;

import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The job folders under the work directory: one per job ({@code job-*}, mode 0700), holding the git
 * objects, the context and the DOCKER_CONFIG with the registry credentials. A job's folder is removed
 * when the job ends, whatever the outcome; folders a previous life of the worker left behind (a kill,
 * a crash, an abandoned build) are removed at start-up, before any job runs. Only {@code job-*}
 * folders are touched: the work directory may hold other things.
 */
public final class Workspaces {

    private static final Logger LOG = Logger.getLogger(Workspaces.class);
    /** Job folders' names start with this; a build's DOCKER_CONFIG under it marks its process ({@code buildx.OrphanBuilds}). */
    public static final String PREFIX = "job-";

    private final Path workDir;

    public Workspaces(Path workDir) {
        this.workDir = workDir;
    }

    public Path workDir() {
        return workDir;
    }

    /** A new, empty job folder only this user can enter. */
    public Path create(ImageRef image) {
        try {
            Files.createDirectories(workDir);
            return Files.createTempDirectory(workDir, PREFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a job folder for " + image + " under " + workDir, e);
        }
    }

    /**
     * Deletes a job folder and everything in it (symlinks are removed, never followed). Returns whether
     * it is gone; a folder that cannot be removed is logged as an error, since it may hold credentials.
     */
    public boolean delete(Path jobFolder) {
        FileTrees.delete(jobFolder);
        if (!Files.exists(jobFolder, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        // once more: something (a late writer) may have raced the first pass
        List<String> problems = FileTrees.delete(jobFolder);
        if (!Files.exists(jobFolder, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        LOG.errorf("the job folder %s could not be removed and may hold registry credentials: %s", jobFolder, problems);
        return false;
    }

    /** Removes every job folder under the work directory; returns the ones removed. */
    public List<Path> removeLeftovers() {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(workDir)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(workDir, PREFIX + "*")) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && delete(entry)) {
                    removed.add(entry);
                } else if (Files.isSymbolicLink(entry)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the work directory " + workDir, e);
        }
        return removed;
    }
}
