package io.imagefarm.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Exposes the JVM's shared local registry to a Quarkus test as {@code imagefarm.test.registry}. */
public final class RegistryResource implements QuarkusTestResourceLifecycleManager {

    public static final String REGISTRY_PROPERTY = "imagefarm.test.registry";

    @Override
    public Map<String, String> start() {
        return Map.of(REGISTRY_PROPERTY, SharedParts.registry().host());
    }

    @Override
    public void stop() {
        // shared across test classes; stopped at JVM exit
    }
}
