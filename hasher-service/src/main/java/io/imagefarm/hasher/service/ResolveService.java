package io.imagefarm.hasher.service;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.ImageRef;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.resolve.ArchResolution;
import io.imagefarm.hasher.resolve.ImageResolver;
import io.imagefarm.hasher.resolve.IndexAssembler;
import io.imagefarm.hasher.resolve.ResolveRequest;
import io.imagefarm.hasher.resolve.Resolution;
import io.imagefarm.hasher.source.RepositorySource;
import io.imagefarm.hasher.source.SourceUrlPolicy;
import io.imagefarm.hasher.resolve.RepositoryAllowList;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** The one path every trigger takes: allow-list, files (given or fetched), decision, index check. */
@ApplicationScoped
public class ResolveService {

    private final RepositoryAllowList allowList;
    private final RepositorySource source;
    private final ImageResolver resolver;
    private final IndexAssembler assembler;
    private final MeterRegistry metrics;
    private final SourceUrlPolicy sourceUrls;

    public ResolveService(RepositoryAllowList allowList, RepositorySource source, ImageResolver resolver,
                          IndexAssembler assembler, MeterRegistry metrics, SourceUrlPolicy sourceUrls) {
        this.sourceUrls = sourceUrls;
        this.allowList = allowList;
        this.source = source;
        this.resolver = resolver;
        this.assembler = assembler;
        this.metrics = metrics;
    }

    private void requireAllowed(SourceRepository repository) {
        if (!allowList.allows(repository)) {
            throw new RepositoryNotAllowedException(repository.toString());
        }
    }

    /** A signed push webhook: its {@code clone_url} is trusted, minus any credentials in it. */
    public Resolution resolveFromWebhook(SourceRepository repository, String commit, String cloneUrl) {
        requireAllowed(repository);
        return resolve(repository, commit, sourceUrls.fromWebhook(repository, cloneUrl), null);
    }

    /**
     * An authenticated API caller.
     *
     * @param files     the five hash inputs when the caller has the checkout; null to fetch them
     * @param sourceUrl git remote to fetch from (and for workers to build from); null for the template,
     *                  otherwise it must match an allowed pattern
     */
    public Resolution resolveFromApi(SourceRepository repository, String commit, String sourceUrl, Map<String, String> files) {
        requireAllowed(repository);
        return resolve(repository, commit, sourceUrls.fromApiCaller(repository, sourceUrl), files);
    }

    private Resolution resolve(SourceRepository repository, String commit, String remote, Map<String, String> files) {
        ResolveRequest.requireCommit(commit);
        Timer.Sample sample = Timer.start(metrics);
        try {
            RepositoryFiles inputs = files != null ? RepositoryFiles.ofText(files) : source.fetch(repository, remote, commit);
            Resolution resolution = resolver.resolve(new ResolveRequest(repository, commit, remote, inputs));
            metrics.counter("imagefarm.hasher.dedup.hits").increment(resolution.arches().stream().filter(ArchResolution::deduplicated).count());
            assembler.check(ImageRef.parse(resolution.imageBase()), resolution.repository(), resolution.versionHash());
            return resolution;
        } finally {
            sample.stop(metrics.timer("imagefarm.hasher.resolve"));
        }
    }
}
