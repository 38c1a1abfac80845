package io.imagefarm.testsupport;

/**
 * One broker and one registry per test JVM, started on first use and stopped at JVM exit, so
 * Quarkus test classes that share them do not pay for restarts.
 */
public final class SharedParts {

    private static InProcessKafka kafka;
    private static LocalRegistry registry;
    private static LocalOidcIssuer oidcIssuer;

    private SharedParts() {
    }

    public static synchronized InProcessKafka kafka() {
        if (kafka == null) {
            kafka = InProcessKafka.start();
            InProcessKafka started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-in-process-kafka"));
        }
        return kafka;
    }

    public static synchronized LocalRegistry registry() {
        if (registry == null) {
            registry = LocalRegistry.start();
            LocalRegistry started = registry;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-local-registry"));
        }
        return registry;
    }

    /** The contract stub of GitHub's OIDC issuer (GitHub cannot be reached from here). */
    public static synchronized LocalOidcIssuer oidcIssuer() {
        if (oidcIssuer == null) {
            oidcIssuer = LocalOidcIssuer.start();
            LocalOidcIssuer started = oidcIssuer;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-local-oidc-issuer"));
        }
        return oidcIssuer;
    }
}
