package io.imagefarm.hasher.source;

import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Single-flight, briefly cached fetches: concurrent webhooks and resolves of one (repository, source,
 * commit), a CI matrix or a burst of webhook deliveries, share one fetch, and its files are kept for
 * {@code ttl} (a commit's files never change). At most {@code maxEntries} commits are kept, oldest
 * first out. A failed fetch is not kept: the next caller tries again.
 */
public final class SharedFetchSource implements RepositorySource {

    private record Key(String repository, String sourceUrl, String commit) {
    }

    private record Entry(CompletableFuture<RepositoryFiles> files, Instant at) {
    }

    private final RepositorySource delegate;
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>();

    public SharedFetchSource(RepositorySource delegate, Duration ttl, int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("imagefarm.hasher.source.fetch-cache-size must be at least 1, not " + maxEntries);
        }
        this.delegate = delegate;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    @Override
    public RepositoryFiles fetch(SourceRepository repository, String sourceUrl, String commit) {
        Key key = new Key(repository.toString(), sourceUrl, commit);
        CompletableFuture<RepositoryFiles> mine = new CompletableFuture<>();
        CompletableFuture<RepositoryFiles> shared;
        synchronized (entries) {
            Instant now = clock.instant();
            expire(now);
            Entry entry = entries.get(key);
            if (entry != null) {
                shared = entry.files();
            } else {
                entries.put(key, new Entry(mine, now));
                while (entries.size() > maxEntries) {
                    Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
                shared = null;
            }
        }
        if (shared != null) {
            try {
                return shared.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            RepositoryFiles files = delegate.fetch(repository, sourceUrl, commit);
            mine.complete(files);
            return files;
        } catch (RuntimeException e) {
            synchronized (entries) {
                Entry kept = entries.get(key);
                if (kept != null && kept.files() == mine) {
                    entries.remove(key);
                }
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Commits currently kept (done or in flight); for the bound's tests. */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private void expire(Instant now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.at().plus(ttl).isAfter(now)) {
                break; // insertion order: the rest are younger
            }
            it.remove();
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
