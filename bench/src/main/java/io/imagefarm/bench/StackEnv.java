package io.imagefarm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code stack.env} that {@code scripts/demo-stack.sh} writes: where the running stack's parts are. */
record StackEnv(Path file, Map<String, String> values) {

    static StackEnv load(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stack's environment " + file, e);
        }
        return new StackEnv(file, Map.copyOf(values));
    }

    String get(String key) {
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(file + " has no " + key + " (keys: " + values.keySet() + ")");
        }
        return value;
    }

    /** A secret the stack keeps in a file named by {@code key}, without trailing whitespace. */
    String secretFrom(String key) {
        try {
            return Files.readString(Path.of(get(key))).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + key + " " + get(key), e);
        }
    }
}
