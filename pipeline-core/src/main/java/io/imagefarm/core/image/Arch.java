package io.imagefarm.core.image;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A Linux CPU architecture as Docker and OCI name it; the suffix of per-arch tags. */
public enum Arch {
    AMD64("amd64"),
    ARM64("arm64"),
    PPC64LE("ppc64le"),
    S390X("s390x"),
    RISCV64("riscv64");

    private final String id;

    Arch(String id) {
        this.id = id;
    }

    /** The OCI/Docker name: {@code amd64}, {@code arm64}, ... */
    public String id() {
        return id;
    }

    /** The build platform, e.g. {@code linux/arm64}. */
    public String platform() {
        return "linux/" + id;
    }

    /** Accepts {@code arm64} or {@code linux/arm64}, any case. */
    public static Arch parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidReferenceException("architecture is empty; expected one of " + known());
        }
        String id = text.trim().toLowerCase(Locale.ROOT);
        if (id.startsWith("linux/")) {
            id = id.substring("linux/".length());
        }
        for (Arch arch : values()) {
            if (arch.id.equals(id)) {
                return arch;
            }
        }
        throw new InvalidReferenceException("unknown architecture '" + text + "'; expected one of " + known());
    }

    private static String known() {
        return Arrays.stream(values()).map(Arch::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
