package io.imagefarm.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Checks for the build host's real parts. Each {@code require*} fails with a {@link MissingPartError}
 * naming the part, so a test that needs it cannot silently skip.
 */
public final class BuildHost {

    /** Where scripts/setup-build-host.sh puts the static busybox binary per arch. */
    public static final Path BUSYBOX_DIR = Path.of("/var/cache/imagefarm/busybox");
    public static final Path REGISTRY_BINARY = Path.of("/usr/bin/docker-registry");
    static final Path QEMU_AARCH64_BINFMT = Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64");

    private static volatile boolean engineChecked;

    private BuildHost() {
    }

    /** Docker Engine reachable, with the containerd image store and buildx. */
    public static void requireEngineWithBuildx() {
        if (engineChecked) {
            return;
        }
        Processes.Result info = docker("info", "--format", "{{.ServerVersion}} {{.DriverStatus}}");
        if (!info.ok()) {
            throw new MissingPartError("Docker Engine", "'docker info' failed: " + Processes.tail(info.output(), 3).trim());
        }
        if (!info.output().contains("io.containerd.snapshotter")) {
            throw new MissingPartError("containerd image store",
                    "the engine does not use the containerd snapshotter, so buildx cannot export a registry cache: " + info.output().trim());
        }
        Processes.Result buildx = docker("buildx", "version");
        if (!buildx.ok()) {
            throw new MissingPartError("docker buildx plugin", buildx.output().trim());
        }
        engineChecked = true;
    }

    /** The engine's builder can run linux/arm64 steps (QEMU binfmt with the fix-binary flag). */
    public static void requireArm64Emulation() {
        requireEngineWithBuildx();
        if (!Files.exists(QEMU_AARCH64_BINFMT)) {
            throw new MissingPartError("QEMU binfmt for arm64", QEMU_AARCH64_BINFMT + " does not exist");
        }
        Processes.Result inspect = docker("buildx", "inspect");
        if (!inspect.ok() || !inspect.output().contains("linux/arm64")) {
            throw new MissingPartError("arm64 platform in the buildx builder", "'docker buildx inspect' lists no linux/arm64");
        }
    }

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Debian's chromium and chromium-driver, for the dashboard's browser tests. */
    public static void requireBrowser() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new MissingPartError("Chromium (Debian chromium)", CHROMIUM + " is not installed");
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            throw new MissingPartError("ChromeDriver (Debian chromium-driver)", CHROMEDRIVER + " is not installed");
        }
    }

    public static Path requireRegistryBinary() {
        if (!Files.isExecutable(REGISTRY_BINARY)) {
            throw new MissingPartError("CNCF distribution registry (Debian docker-registry)", REGISTRY_BINARY + " is not installed");
        }
        return REGISTRY_BINARY;
    }

    public static Path requireBusybox(String arch) {
        Path binary = BUSYBOX_DIR.resolve(arch).resolve("busybox");
        if (!Files.isRegularFile(binary)) {
            throw new MissingPartError("static busybox for " + arch, binary + " does not exist");
        }
        return binary;
    }

    /** A bcrypt htpasswd file (distribution accepts only bcrypt), made with Apache's htpasswd. */
    public static Path htpasswd(String user, String password) {
        Processes.Result r;
        try {
            r = Processes.run(Duration.ofSeconds(30), List.of("htpasswd", "-Bbn", user, password));
        } catch (RuntimeException e) {
            throw new MissingPartError("htpasswd (Debian apache2-utils)", e.getMessage());
        }
        if (!r.ok()) {
            throw new MissingPartError("htpasswd (Debian apache2-utils)", r.output().trim());
        }
        try {
            Path file = Files.createTempFile("imagefarm-htpasswd-", "");
            Files.writeString(file, r.output().trim() + "\n");
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Processes.Result docker(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        try {
            return Processes.run(Duration.ofSeconds(30), cmd);
        } catch (RuntimeException e) {
            throw new MissingPartError("docker CLI", e.getMessage());
        }
    }
}
