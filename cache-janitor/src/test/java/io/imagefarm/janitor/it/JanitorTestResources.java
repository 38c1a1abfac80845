package io.imagefarm.janitor.it;

import io.imagefarm.janitor.backend.GhcrStub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The one place the janitor's Quarkus tests get their parts, so every {@code @QuarkusTest} shares one
 * boot: each IT names the same three resources (KafkaResource, RegistryResource, this). This one starts the
 * GitHub Packages stub once per JVM and exposes it as {@code imagefarm.test.ghcr-stub}.
 */
public final class JanitorTestResources implements QuarkusTestResourceLifecycleManager {

    public static final String GHCR_STUB_PROPERTY = "imagefarm.test.ghcr-stub";
    private static GhcrStub stub;

    public static synchronized GhcrStub ghcrStub() {
        if (stub == null) {
            stub = new GhcrStub();
            GhcrStub started = stub;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-ghcr-stub"));
        }
        return stub;
    }

    @Override
    public Map<String, String> start() {
        return Map.of(GHCR_STUB_PROPERTY, ghcrStub().host());
    }

    @Override
    public void stop() {
        // shared across test classes; stopped at JVM exit
    }
}
