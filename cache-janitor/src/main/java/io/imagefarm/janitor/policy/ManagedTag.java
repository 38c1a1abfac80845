package io.imagefarm.janitor.policy;

import io.imagefarm.core.image.Arch;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A tag the janitor manages: {@code builder-<16 hex>}, {@code builder-<16 hex>-<arch>},
 * {@code buildcache} and {@code buildcache-<arch>}, with {@code <arch>} a known {@link Arch}. Every
 * other tag is unmanaged and never touched.
 */
public record ManagedTag(Kind kind, String hash, String arch) {

    public enum Kind {
        /** {@code builder-<hash>}: the multi-arch index. */
        BUILDER_INDEX,
        /** {@code builder-<hash>-<arch>}: one arch's image. */
        BUILDER_ARCH,
        /** {@code buildcache}: the seed's shared cache ref. */
        LEGACY_CACHE,
        /** {@code buildcache-<arch>}: one arch's cache ref. */
        ARCH_CACHE
    }

    private static final Set<String> ARCHES = Arrays.stream(Arch.values()).map(Arch::id).collect(Collectors.toSet());
    private static final Pattern BUILDER = Pattern.compile("builder-([0-9a-f]{16})(?:-([a-z0-9]+))?");
    private static final Pattern CACHE = Pattern.compile("buildcache(?:-([a-z0-9]+))?");

    public static Optional<ManagedTag> parse(String tag) {
        Matcher b = BUILDER.matcher(tag);
        if (b.matches()) {
            String arch = b.group(2);
            if (arch == null) {
                return Optional.of(new ManagedTag(Kind.BUILDER_INDEX, b.group(1), null));
            }
            return ARCHES.contains(arch) ? Optional.of(new ManagedTag(Kind.BUILDER_ARCH, b.group(1), arch)) : Optional.empty();
        }
        Matcher c = CACHE.matcher(tag);
        if (c.matches()) {
            String arch = c.group(1);
            if (arch == null) {
                return Optional.of(new ManagedTag(Kind.LEGACY_CACHE, null, null));
            }
            return ARCHES.contains(arch) ? Optional.of(new ManagedTag(Kind.ARCH_CACHE, null, arch)) : Optional.empty();
        }
        return Optional.empty();
    }

    public static boolean isManaged(String tag) {
        return parse(tag).isPresent();
    }

    public boolean isBuilder() {
        return kind == Kind.BUILDER_INDEX || kind == Kind.BUILDER_ARCH;
    }
}
