package io.imagefarm.cli;

import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.OciNames;
import io.imagefarm.core.image.SourceRepository;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code imagefarm hash --repo-dir DIR --repository OWNER/NAME [--registry HOST] [--arch A ...]}.
 * Prints the seed's three GITHUB_OUTPUT lines first, then per-arch refs. Exit 0 on success, 1 on
 * bad repository input, 2 on bad usage; errors are one line on stderr.
 */
public final class ImagefarmCli {

    static final int OK = 0;
    static final int INVALID_INPUT = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT =
            "usage: imagefarm hash --repo-dir DIR --repository OWNER/NAME [--registry HOST] [--arch A ...]";

    private ImagefarmCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("resolve")) {
            return ResolveCommand.run(List.of(args).subList(1, args.length), out, err);
        }
        if (args.length == 0 || !args[0].equals("hash")) {
            err.println(args.length == 0 ? USAGE_TEXT + "\n" + ResolveCommand.USAGE_TEXT
                    : "imagefarm: unknown command '" + args[0] + "'; " + USAGE_TEXT + " | " + ResolveCommand.USAGE_TEXT);
            return USAGE;
        }
        HashArgs parsed;
        try {
            parsed = HashArgs.parse(List.of(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            err.println("imagefarm hash: " + e.getMessage());
            return USAGE;
        }
        try {
            VersionHash hash = VersionHasher.hash(RepositoryFiles.fromDirectory(parsed.repoDir()));
            ImageCoordinates coordinates = ImageCoordinates.of(parsed.registry(), parsed.repository(), hash);
            out.println("container-image-base=" + coordinates.imageBase());
            out.println("container-image-cache-base=" + coordinates.cacheBase());
            out.println("version-hash=" + hash.value());
            for (Arch arch : parsed.arches()) {
                out.println("container-image-" + arch.id() + "=" + coordinates.image(arch));
                out.println("container-image-cache-" + arch.id() + "=" + coordinates.cache(arch));
            }
            out.flush();
            return OK;
        } catch (InvalidRepositoryFilesException | InvalidReferenceException e) {
            err.println("imagefarm hash: " + oneLine(e.getMessage()));
            return INVALID_INPUT;
        }
    }

    private static String oneLine(String message) {
        return message.replace('\n', ' ').replace('\r', ' ');
    }

    record HashArgs(Path repoDir, SourceRepository repository, String registry, Set<Arch> arches) {

        static HashArgs parse(List<String> args) {
            Path repoDir = null;
            SourceRepository repository = null;
            String registry = ImageCoordinates.DEFAULT_REGISTRY;
            Set<Arch> arches = new LinkedHashSet<>();
            for (int i = 0; i < args.size(); i++) {
                String flag = args.get(i);
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(flag + " needs a value; " + USAGE_TEXT);
                }
                String value = args.get(++i);
                switch (flag) {
                    case "--repo-dir" -> repoDir = Path.of(value);
                    case "--repository" -> repository = SourceRepository.parse(value);
                    case "--registry" -> registry = OciNames.requireRegistry(value);
                    case "--arch" -> {
                        for (String a : value.split(",")) {
                            arches.add(Arch.parse(a));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + flag + "'; " + USAGE_TEXT);
                }
            }
            List<String> missing = new ArrayList<>();
            if (repoDir == null) {
                missing.add("--repo-dir");
            }
            if (repository == null) {
                missing.add("--repository");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("missing " + String.join(" and ", missing) + "; " + USAGE_TEXT);
            }
            if (arches.isEmpty()) {
                arches.add(Arch.AMD64);
                arches.add(Arch.ARM64);
            }
            return new HashArgs(repoDir, repository, registry, arches);
        }
    }
}
