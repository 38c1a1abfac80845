package io.imagefarm.hasher.source;

import io.imagefarm.core.hash.HashInputs;
import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.hash.RepositoryFiles;
import io.imagefarm.core.image.SourceRepository;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * GitHub's REST contents API: the five files at the commit, one small request each, no git transfer.
 * 404 on the repository or the commit is "not found"; 403/429 (rate limits) and 5xx are transient.
 */
public final class GithubContentsSource implements RepositorySource {

    private final GithubContentsApi api;
    private final Optional<String> token;
    private final long maxFileBytes;

    public GithubContentsSource(URI apiBase, Optional<String> token, Duration timeout, long maxFileBytes) {
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(apiBase)
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .disableDefaultMapper(true)
                .build(GithubContentsApi.class);
        this.token = token;
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public RepositoryFiles fetch(SourceRepository repository, String sourceUrl, String commit) {
        String owner = repository.owner();
        String repo = repository.name();
        String auth = token.map(t -> "Bearer " + t).orElse(null);
        try {
            try (Response r = api.repository(owner, repo, GithubContentsApi.JSON, auth, GithubContentsApi.API_VERSION)) {
                if (r.getStatus() == 404) {
                    throw new SourceNotFoundException(SourceNotFoundException.What.REPOSITORY, "repository " + repository + " not found on GitHub (or the token cannot see it)");
                }
                requireOk(r, repository, "repository");
            }
            try (Response r = api.commit(owner, repo, commit, GithubContentsApi.JSON, auth, GithubContentsApi.API_VERSION)) {
                if (r.getStatus() == 404 || r.getStatus() == 422) {
                    throw new SourceNotFoundException(SourceNotFoundException.What.COMMIT, "commit " + commit + " not found in " + repository);
                }
                requireOk(r, repository, "commit " + commit);
            }
            Map<String, byte[]> files = new HashMap<>();
            for (String path : HashInputs.ALL) {
                int slash = path.indexOf('/');
                try (Response r = slash < 0
                        ? api.file(owner, repo, path, commit, GithubContentsApi.RAW, auth, GithubContentsApi.API_VERSION)
                        : api.fileInDirectory(owner, repo, path.substring(0, slash), path.substring(slash + 1), commit,
                        GithubContentsApi.RAW, auth, GithubContentsApi.API_VERSION)) {
                    if (r.getStatus() == 404) {
                        continue; // absent: the hasher names it
                    }
                    requireOk(r, repository, path);
                    byte[] content = r.readEntity(byte[].class);
                    if (content.length > maxFileBytes) {
                        throw new InvalidRepositoryFilesException(path, "is " + content.length + " bytes; the limit is " + maxFileBytes);
                    }
                    files.put(path, content);
                }
            }
            return RepositoryFiles.ofBytes(files);
        } catch (ProcessingException e) {
            throw new SourceUnavailableException("GitHub API unreachable for " + repository + ": " + e.getMessage(), e);
        }
    }

    private static void requireOk(Response r, SourceRepository repository, String what) {
        if (r.getStatus() == 200) {
            return;
        }
        String hint = r.getStatus() == 403 || r.getStatus() == 429
                ? " (rate limited; retry after " + Optional.ofNullable(r.getHeaderString("Retry-After"))
                        .orElse(Optional.ofNullable(r.getHeaderString("X-RateLimit-Reset")).map(s -> "epoch " + s).orElse("a while")) + ")"
                : "";
        if (r.getStatus() == 401) {
            throw new SourceUnavailableException("GitHub refused the configured token reading " + what + " of " + repository + " (401)", null);
        }
        throw new SourceUnavailableException("GitHub answered " + r.getStatus() + " reading " + what + " of " + repository + hint, null);
    }

    @Override
    public void close() {
        // Quarkus REST client proxies are Closeable; closing releases the underlying HTTP client.
        if (api instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                // shutting down: nothing left to do about it
            }
        }
    }
}
