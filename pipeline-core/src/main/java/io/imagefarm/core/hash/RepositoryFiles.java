package io.imagefarm.core.hash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The raw bytes of the hash inputs, wherever they came from: a checkout, an API body, a git fetch. */
public final class RepositoryFiles {

    private final Map<String, byte[]> contents;

    private RepositoryFiles(Map<String, byte[]> contents) {
        this.contents = Map.copyOf(contents);
    }

    public static RepositoryFiles ofBytes(Map<String, byte[]> contents) {
        return new RepositoryFiles(contents);
    }

    /** Text content, encoded as UTF-8 (what a JSON API body carries). */
    public static RepositoryFiles ofText(Map<String, String> contents) {
        Map<String, byte[]> bytes = new HashMap<>();
        contents.forEach((path, text) -> bytes.put(path, text.getBytes(StandardCharsets.UTF_8)));
        return new RepositoryFiles(bytes);
    }

    /** Reads the hash inputs present under {@code root}; absent ones stay absent and fail at hashing. */
    public static RepositoryFiles fromDirectory(Path root) {
        if (!Files.isDirectory(root)) {
            throw new InvalidRepositoryFilesException(root.toString(), "not a directory");
        }
        Map<String, byte[]> bytes = new HashMap<>();
        for (String path : HashInputs.ALL) {
            Path file = root.resolve(path);
            try {
                bytes.put(path, Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                // left absent: the hasher reports it with the seed's semantics
            } catch (IOException e) {
                if (Files.isDirectory(file)) {
                    throw new InvalidRepositoryFilesException(path, "is a directory, not a file");
                }
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return new RepositoryFiles(bytes);
    }

    public Optional<byte[]> get(String path) {
        return Optional.ofNullable(contents.get(path)).map(byte[]::clone);
    }

    /** The file's bytes, or an {@link InvalidRepositoryFilesException} naming it. */
    public byte[] require(String path) {
        byte[] b = contents.get(path);
        if (b == null) {
            throw new InvalidRepositoryFilesException(path, "file is missing");
        }
        return b.clone();
    }
}
