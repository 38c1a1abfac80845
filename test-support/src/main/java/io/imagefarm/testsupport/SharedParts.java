package io.imagefarm.testsupport;

/**
 * One broker and one registry per test JVM, started on first use and stopped at JVM exit, so
 * Quarkus test classes that share them do not pay for restarts.
 */
public final class SharedParts {

    private static InProcessKafka kafka;
    private static LocalRegistry registry;

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
}
