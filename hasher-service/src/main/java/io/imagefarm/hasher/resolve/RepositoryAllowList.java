package io.imagefarm.hasher.resolve;

import io.imagefarm.core.image.SourceRepository;
import java.util.List;
import java.util.Locale;

/**
 * Which repositories may have the farm build their Dockerfiles. Entries are an owner ({@code acme}),
 * an exact repository ({@code acme/widget}) or an owner glob ({@code acme/*}), case-insensitive.
 * Empty means nobody: the safe default.
 */
public final class RepositoryAllowList {

    private final List<String> entries;

    public RepositoryAllowList(List<String> entries) {
        this.entries = entries.stream().map(String::trim).filter(e -> !e.isEmpty())
                .map(e -> e.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean allows(SourceRepository repository) {
        String owner = repository.owner().toLowerCase(Locale.ROOT);
        String full = owner + "/" + repository.name().toLowerCase(Locale.ROOT);
        for (String entry : entries) {
            if (entry.equals(owner) || entry.equals(full) || entry.equals(owner + "/*")) {
                return true;
            }
        }
        return false;
    }
}
