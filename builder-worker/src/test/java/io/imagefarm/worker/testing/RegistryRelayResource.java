package io.imagefarm.worker.testing;

import io.imagefarm.testsupport.SharedParts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * The worker ITs push through a {@link RegistryRelay} in front of the JVM's shared registry, so a test
 * can take the worker's registry down and bring it back with its content intact. Sets
 * {@code imagefarm.worker.registry} to the relay; fields annotated {@link Relay} receive it.
 */
public final class RegistryRelayResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a {@link RegistryRelay} field to fill. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Relay {
    }

    private RegistryRelay relay;

    @Override
    public Map<String, String> start() {
        relay = RegistryRelay.start(SharedParts.registry().host());
        return Map.of("imagefarm.worker.registry", relay.host());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(relay, new TestInjector.AnnotatedAndMatchesType(Relay.class, RegistryRelay.class));
    }

    @Override
    public void stop() {
        if (relay != null) {
            relay.close();
        }
    }
}
