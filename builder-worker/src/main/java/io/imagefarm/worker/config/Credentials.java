package io.imagefarm.worker.config;

import io.imagefarm.core.secret.Secrets;
import io.imagefarm.registry.RegistryCredentials;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Registry credentials from configuration, read through {@link Secrets}: a password file (mounted
 * secret) wins over an inline password (env var).
 */
public final class Credentials {

    private Credentials() {
    }

    public static Map<String, RegistryCredentials> resolve(Map<String, WorkerConfig.RegistryAuth> registries) {
        Map<String, RegistryCredentials> result = new LinkedHashMap<>();
        registries.forEach((host, auth) -> {
            if (auth.username().isEmpty() || auth.username().get().isBlank()) {
                return;
            }
            String key = "imagefarm.worker.registries.\"" + host + "\".password";
            String password = Secrets.read(key, auth.password(), auth.passwordFile())
                    .orElseThrow(() -> new IllegalStateException("registry " + host
                            + " has a username but neither password nor password-file (or an empty one)"));
            result.put(host, new RegistryCredentials(auth.username().get(), password));
        });
        return result;
    }
}
