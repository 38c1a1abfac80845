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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one path every trigger takes: allow-list, files (given or fetched), decision, index check.
 * Concurrent identical questions (a CI matrix resolving one commit at once, a burst of webhook deliveries
 * of one push) are answered by one resolution: each caller is checked on its own (credential, allow-list,
 * source URL), then the first computes the answer (fetch, hash, book, registry, request) and the others
 * take it, instead of each hashing the same files and queueing on the same image's locks.
 */
@ApplicationScoped
public class ResolveService {

    /** What makes two questions the same: the same files (given, or fetched from the same remote) of one commit. */
    private record Question(String repository, String commit, String remote, Map<String, String> files, ImageResolver.Until until) {
    }

    private final RepositoryAllowList allowList;
    private final RepositorySource source;
    private final ImageResolver resolver;
    private final IndexAssembler assembler;
    private final MeterRegistry metrics;
    private final SourceUrlPolicy sourceUrls;
    /** Resolutions being computed, by question: a caller with the same question waits for the first one's answer. */
    private final Map<Question, CompletableFuture<Resolution>> inFlight = new ConcurrentHashMap<>();

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

    /**
     * A signed push webhook: its {@code clone_url} is trusted, minus any credentials in it. Answered once
     * the requests are durable ({@link ImageResolver.Until#PROPOSED}): GitHub reads only the status code.
     */
    public Resolution resolveFromWebhook(SourceRepository repository, String commit, String cloneUrl) {
        requireAllowed(repository);
        return resolve(repository, commit, sourceUrls.fromWebhook(repository, cloneUrl), null, ImageResolver.Until.PROPOSED);
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
        return resolve(repository, commit, sourceUrls.fromApiCaller(repository, sourceUrl), files, ImageResolver.Until.DECIDED);
    }

    private Resolution resolve(SourceRepository repository, String commit, String remote, Map<String, String> files,
                               ImageResolver.Until until) {
        ResolveRequest.requireCommit(commit);
        Timer.Sample sample = Timer.start(metrics);
        try {
            Question question = new Question(repository.toString(), commit, remote, files, until);
            CompletableFuture<Resolution> mine = new CompletableFuture<>();
            CompletableFuture<Resolution> first = inFlight.putIfAbsent(question, mine);
            if (first != null) {
                Resolution shared = sameAnswer(first);
                metrics.counter("imagefarm.hasher.resolve.shared").increment();
                countDeduplicated(shared);
                return shared;
            }
            try {
                Resolution resolution = compute(repository, commit, remote, files, until);
                mine.complete(resolution);
                return resolution;
            } catch (RuntimeException | Error e) { // never leaves the callers waiting for it hanging
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(question, mine);
            }
        } finally {
            sample.stop(metrics.timer("imagefarm.hasher.resolve"));
        }
    }

    private Resolution compute(SourceRepository repository, String commit, String remote, Map<String, String> files,
                               ImageResolver.Until until) {
        RepositoryFiles inputs = files != null ? RepositoryFiles.ofText(files) : source.fetch(repository, remote, commit);
        Resolution resolution = resolver.resolve(new ResolveRequest(repository, commit, remote, inputs), until);
        countDeduplicated(resolution);
        assembler.check(ImageRef.parse(resolution.imageBase()), resolution.repository(), resolution.versionHash(), commit);
        return resolution;
    }

    /**
     * The first caller's answer, as this caller's: what it published, this one did not publish but was
     * deduplicated against, as a concurrent request for the same image is.
     */
    private static Resolution sameAnswer(CompletableFuture<Resolution> first) {
        Resolution r;
        try {
            r = first.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        List<ArchResolution> arches = r.arches().stream()
                .map(a -> !a.published() ? a : new ArchResolution(a.arch(), a.image(), a.cache(), a.state(), a.digest(), false, true,
                        a.failure(), a.reason(), a.logTail(), a.pending()))
                .toList();
        return new Resolution(r.repository(), r.commit(), r.versionHash(), r.inputs(), r.imageBase(), r.cacheBase(), arches);
    }

    private void countDeduplicated(Resolution resolution) {
        metrics.counter("imagefarm.hasher.dedup.hits").increment(resolution.arches().stream().filter(ArchResolution::deduplicated).count());
    }
}
