package io.imagefarm.hasher.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A secret given inline (env) or as a file (mounted secret); the file wins. Trailing newline trimmed. */
public final class Secrets {

    private Secrets() {
    }

    public static Optional<String> read(Optional<String> inline, Optional<Path> file, String key) {
        if (file.isPresent()) {
            try {
                return Optional.of(Files.readString(file.get()).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the secret file of " + key + " (" + file.get() + ")", e);
            }
        }
        return inline.filter(s -> !s.isBlank());
    }
}
