package io.imagefarm.core.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The one way every service reads a secret (webhook secret, registry password, git and GitHub
 * tokens, API token digests): from a file (a mounted secret) or inline (an env var). The file wins,
 * so a deployment that mounts secrets cannot be overridden by a stray env var. Surrounding
 * whitespace (the trailing newline of {@code echo > file}) is trimmed; blank means unset.
 * A file others may read is used, with a warning: it is a leak waiting to happen, not a reason to
 * stop a service.
 */
public final class Secrets {

    private static final System.Logger LOG = System.getLogger(Secrets.class.getName());

    private Secrets() {
    }

    /**
     * @param key the config key of the secret, for messages (never the value)
     * @param inline the inline value ({@code <key>})
     * @param file the secret file ({@code <key>-file})
     */
    public static Optional<String> read(String key, Optional<String> inline, Optional<Path> file) {
        if (file.isPresent()) {
            return readFile(key, file.get());
        }
        return inline.map(String::strip).filter(s -> !s.isEmpty());
    }

    /** Like {@link #read} but the secret must be set; the message names both ways to set it. */
    public static String require(String key, Optional<String> inline, Optional<Path> file) {
        return read(key, inline, file).orElseThrow(() -> new IllegalStateException(
                "the secret " + key + " is not set: give " + key + "-file (a mounted secret) or " + key
                        + (file.isPresent() ? " (the file " + file.get() + " is empty)" : "")));
    }

    private static Optional<String> readFile(String key, Path file) {
        String value;
        try {
            value = Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secret file of " + key + " (" + file + "): " + e.getMessage(), e);
        }
        warnIfOthersMayRead(key, file);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static void warnIfOthersMayRead(String key, Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.log(Level.WARNING, "the secret file of {0} ({1}) is readable by every user of this host; "
                        + "restrict it (chmod 600, or 400 owned by the service user)", key, file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system, or the attributes cannot be read: nothing to warn about.
        }
    }
}
