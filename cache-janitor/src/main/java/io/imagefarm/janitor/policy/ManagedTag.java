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
 * {@code buildcache} and {@code buildcache-<arch>}, with {@code <arch>} a known {@link Arch}, and cosign's
 * signature tag {@code sha256-<64 hex>.sig}. Every other tag is unmanaged and never touched.
 *
 * @param hash         the version hash of a builder tag; null otherwise
 * @param arch         the arch of a per-arch builder or cache tag; null otherwise
 * @param signedDigest the digest a signature tag names ({@code sha256:<hex>}); null otherwise
 */
public record ManagedTag(Kind kind, String hash, String arch, String signedDigest) {

    public enum Kind {
        /** {@code builder-<hash>}: the multi-arch index. */
        BUILDER_INDEX,
        /** {@code builder-<hash>-<arch>}: one arch's image. */
        BUILDER_ARCH,
        /** {@code buildcache}: the seed's shared cache ref. */
        LEGACY_CACHE,
        /** {@code buildcache-<arch>}: one arch's cache ref. */
        ARCH_CACHE,
        /**
         * {@code sha256-<hex>.sig}: cosign's signature manifest of the manifest {@code sha256:<hex>} in the same
         * repository. It follows its image: kept while the image is, deleted with it, deleted when orphaned.
         */
        SIGNATURE
    }

    private static final Set<String> ARCHES = Arrays.stream(Arch.values()).map(Arch::id).collect(Collectors.toSet());
    private static final Pattern BUILDER = Pattern.compile("builder-([0-9a-f]{16})(?:-([a-z0-9]+))?");
    private static final Pattern CACHE = Pattern.compile("buildcache(?:-([a-z0-9]+))?");
    /** cosign's tag for the signatures of {@code sha256:<hex>}; only lower-case hex, as digests are written. */
    private static final Pattern SIGNATURE = Pattern.compile("sha256-([0-9a-f]{64})\\.sig");

    public static Optional<ManagedTag> parse(String tag) {
        Matcher b = BUILDER.matcher(tag);
        if (b.matches()) {
            String arch = b.group(2);
            if (arch == null) {
                return Optional.of(new ManagedTag(Kind.BUILDER_INDEX, b.group(1), null, null));
            }
            return ARCHES.contains(arch) ? Optional.of(new ManagedTag(Kind.BUILDER_ARCH, b.group(1), arch, null)) : Optional.empty();
        }
        Matcher c = CACHE.matcher(tag);
        if (c.matches()) {
            String arch = c.group(1);
            if (arch == null) {
                return Optional.of(new ManagedTag(Kind.LEGACY_CACHE, null, null, null));
            }
            return ARCHES.contains(arch) ? Optional.of(new ManagedTag(Kind.ARCH_CACHE, null, arch, null)) : Optional.empty();
        }
        Matcher s = SIGNATURE.matcher(tag);
        if (s.matches()) {
            return Optional.of(new ManagedTag(Kind.SIGNATURE, null, null, "sha256:" + s.group(1)));
        }
        return Optional.empty();
    }

    public static boolean isManaged(String tag) {
        return parse(tag).isPresent();
    }

    public boolean isBuilder() {
        return kind == Kind.BUILDER_INDEX || kind == Kind.BUILDER_ARCH;
    }

    public boolean isSignature() {
        return kind == Kind.SIGNATURE;
    }

    /** True for a managed {@code sha256-<hex>.sig} tag. */
    public static boolean isSignature(String tag) {
        return parse(tag).filter(ManagedTag::isSignature).isPresent();
    }

    /** cosign's signature tag of {@code digest}: {@code sha256:<hex>} becomes {@code sha256-<hex>.sig}. */
    public static String signatureTag(String digest) {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IllegalArgumentException("cosign signature tags name sha256 digests, not " + digest);
        }
        return digest.replace(':', '-') + ".sig";
    }
}
