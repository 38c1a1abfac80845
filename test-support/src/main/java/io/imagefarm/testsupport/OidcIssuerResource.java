package io.imagefarm.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test's OIDC tenant at the JVM's shared {@link LocalOidcIssuer} ({@code imagefarm.test.oidc-issuer}). */
public final class OidcIssuerResource implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER_PROPERTY = "imagefarm.test.oidc-issuer";

    @Override
    public Map<String, String> start() {
        return Map.of(ISSUER_PROPERTY, SharedParts.oidcIssuer().issuer());
    }

    @Override
    public void stop() {
        // shared across test classes; stopped at JVM exit
    }
}
