package io.imagefarm.worker.config;

import io.imagefarm.registry.RegistryCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/** Registry credentials from configuration: a password (env var) or a password file (mounted secret). */
public final class Credentials {

    private Credentials() {
    }

    public static Map<String, RegistryCredentials> resolve(Map<String, WorkerConfig.RegistryAuth> registries) {
        Map<String, RegistryCredentials> result = new LinkedHashMap<>();
        registries.forEach((host, auth) -> {
            if (auth.username().isEmpty()) {
                return;
            }
            String password = auth.password().orElseGet(() -> auth.passwordFile().map(file -> {
                try {
                    return Files.readString(file).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the password file of registry " + host + ": " + file, e);
                }
            }).orElseThrow(() -> new IllegalStateException(
                    "registry " + host + " has a username but neither password nor password-file")));
            result.put(host, new RegistryCredentials(auth.username().get(), password));
        });
        return result;
    }
}
