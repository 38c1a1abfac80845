package io.imagefarm.hasher.resolve;

import io.imagefarm.core.hash.VersionInputs;
import java.util.List;

/** The answer to a {@link ResolveRequest}: the hash, its inputs, the index ref and each arch's state. */
public record Resolution(String repository, String commit, String versionHash, VersionInputs inputs,
                         String imageBase, String cacheBase, List<ArchResolution> arches) {
}
