package io.imagefarm.testsupport;

/**
 * A test needs a real part (engine, buildx, registry, QEMU, ...) that this machine lacks. It fails
 * the test, loudly, naming the part and the script that installs it; it never turns into a skip.
 */
public final class MissingPartError extends AssertionError {

    public static final String SETUP_SCRIPT = "scripts/setup-build-host.sh (./test.sh runs it)";

    public MissingPartError(String part, String detail) {
        super("missing test part: " + part + " (" + detail + "). Install and start it with " + SETUP_SCRIPT);
    }
}
