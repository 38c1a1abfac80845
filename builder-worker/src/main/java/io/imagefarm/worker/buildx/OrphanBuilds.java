package io.imagefarm.worker.buildx;

import io.imagefarm.worker.job.Workspaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker buildx} processes a previous life of this worker left running. A worker killed with
 * SIGKILL gets no chance to stop its children; they are re-parented and go on building and pushing
 * the same image the new life is about to build. Every build of this worker runs with
 * {@code DOCKER_CONFIG=<work-dir>/job-*}, so at start-up, before any job of its own, the processes
 * carrying that mark are the previous life's, and are killed. Killing the CLI ends its BuildKit
 * session, so the engine cancels the build too.
 */
public final class OrphanBuilds {

    private OrphanBuilds() {
    }

    /** The pids under {@code procRoot} (normally /proc) whose environment marks a build of {@code workDir}. */
    static List<Long> find(Path procRoot, Path workDir) {
        byte[] mark = ("DOCKER_CONFIG=" + workDir.toAbsolutePath().normalize() + "/" + Workspaces.PREFIX).getBytes(StandardCharsets.UTF_8);
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path entry : entries) {
                long pid = Long.parseLong(entry.getFileName().toString());
                if (pid == ProcessHandle.current().pid()) {
                    continue;
                }
                try {
                    if (containsEntryStartingWith(Files.readAllBytes(entry.resolve("environ")), mark)) {
                        pids.add(pid);
                    }
                } catch (IOException | SecurityException e) {
                    // gone meanwhile, or not ours to read: not one of our builds
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return pids;
    }

    /** Kills the previous life's builds; returns their pids. */
    public static List<Long> killLeftovers(Path workDir) {
        List<Long> pids = find(Path.of("/proc"), workDir);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        return pids;
    }

    /** environ is NUL-separated {@code NAME=value} entries. */
    private static boolean containsEntryStartingWith(byte[] environ, byte[] prefix) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start >= prefix.length && java.util.Arrays.equals(environ, start, start + prefix.length, prefix, 0, prefix.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
