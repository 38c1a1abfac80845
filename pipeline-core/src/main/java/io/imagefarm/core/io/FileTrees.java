package io.imagefarm.core.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Removing a directory tree that the process wrote (job folders, throw-away git repositories). */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes {@code root} and everything below it; symlinks are removed, never followed. Never throws:
     * returns what could not be removed, so the caller decides whether a leftover matters (a job folder
     * may hold credentials; a temp repository does not).
     */
    public static List<String> delete(Path root) {
        List<String> problems = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    // a read-only directory (e.g. written so by a build) must become writable to be emptied
                    try {
                        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    } catch (IOException | UnsupportedOperationException e) {
                        // not ours to change, or not POSIX: try the deletion anyway
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    remove(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (!(e instanceof NoSuchFileException)) {
                        problems.add(file + ": " + e);
                    }
                    remove(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    remove(dir);
                    return FileVisitResult.CONTINUE;
                }

                private void remove(Path p) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        problems.add(p + ": " + e);
                    }
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            problems.add(root + ": " + e);
        }
        return problems;
    }
}
