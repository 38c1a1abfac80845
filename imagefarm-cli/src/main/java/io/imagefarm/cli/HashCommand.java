package io.imagefarm.cli;

import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.hash.VersionHash;
import io.imagefarm.core.hash.VersionHasher;
import io.imagefarm.core.image.Arch;
import io.imagefarm.core.image.ImageCoordinates;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.SourceRepository;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imagefarm hash}: the seed's version hash of a checkout, computed locally. Prints the seed's
 * three GITHUB_OUTPUT lines first, in the seed's order, then the per-arch refs. Nothing is printed
 * to stdout unless every input was read and checked.
 */
@Command(name = "hash",
        mixinStandardHelpOptions = true,
        optionListHeading = "%nOptions:%n",
        versionProvider = VersionProvider.class,
        description = {
            "Prints a checkout's version hash and builder image refs, computed locally.",
            "",
            "The hash is the seed's, over the five hash inputs in --repo-dir. The key=value lines go to "
                    + "$GITHUB_OUTPUT as they are: container-image-base, container-image-cache-base and "
                    + "version-hash (the seed step's three outputs, in its order), then container-image-ARCH "
                    + "and container-image-cache-ARCH per arch. Nothing is printed unless every input was read "
                    + "and checked."},
        sortOptions = false,
        exitCodeListHeading = ImagefarmCli.EXIT_CODES_HEADING,
        exitCodeList = {ImagefarmCli.EXIT_OK,
            "1:the repository files are missing or invalid (one stderr line names the file)",
            ImagefarmCli.EXIT_USAGE})
final class HashCommand implements Callable<Integer> {

    @Option(names = "--repo-dir", required = true, paramLabel = "DIR",
            description = "The checkout holding the hash inputs.")
    Path repoDir;

    @Option(names = "--repository", required = true, paramLabel = "OWNER/NAME",
            converter = Converters.Repository.class,
            description = "The source repository; names the image, e.g. $GITHUB_REPOSITORY.")
    SourceRepository repository;

    @Option(names = "--registry", paramLabel = "HOST[:PORT]", defaultValue = ImageCoordinates.DEFAULT_REGISTRY,
            converter = Converters.Registry.class,
            description = "The registry of the images (default: ${DEFAULT-VALUE}).")
    String registry;

    @Option(names = "--arch", paramLabel = "ARCH", split = ",", converter = Converters.Architecture.class,
            completionCandidates = Converters.ArchIds.class,
            description = "An architecture to print refs for; repeat or separate with commas "
                    + "(one of: ${COMPLETION-CANDIDATES}; default: amd64,arm64).")
    List<Arch> arches = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    HashCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        Set<Arch> archSet = new LinkedHashSet<>(arches);
        if (archSet.isEmpty()) {
            archSet.add(Arch.AMD64);
            archSet.add(Arch.ARM64);
        }
        try {
            VersionHash hash = VersionHasher.hash(RepositoryFiles.fromDirectory(repoDir));
            ImageCoordinates coordinates = ImageCoordinates.of(registry, repository, hash);
            out.println("container-image-base=" + coordinates.imageBase());
            out.println("container-image-cache-base=" + coordinates.cacheBase());
            out.println("version-hash=" + hash.value());
            for (Arch arch : archSet) {
                out.println("container-image-" + arch.id() + "=" + coordinates.image(arch));
                out.println("container-image-cache-" + arch.id() + "=" + coordinates.cache(arch));
            }
            out.flush();
            return ImagefarmCli.OK;
        } catch (InvalidRepositoryFilesException | InvalidReferenceException e) {
            err.println("imagefarm hash: " + UsageErrors.oneLine(e.getMessage()));
            return ImagefarmCli.FAILED;
        }
    }
}
