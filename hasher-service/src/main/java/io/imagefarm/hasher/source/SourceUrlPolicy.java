package io.imagefarm.hasher.source;

import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.git.SourceUrls;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Where workers may fetch a repository from. The git remote ends up in the {@code image-required}
 * event, and a worker builds what it finds there, so it is trusted input only from a signed webhook
 * ({@code clone_url}) or the configured template. An API caller may name one only if it matches an
 * allowed pattern, in git-fetch's {@link SourceUrls} language (the one workers check URLs with).
 * Credentials never travel in URLs: an API caller's URL with userinfo is refused, a webhook's is stripped.
 */
public final class SourceUrlPolicy {

    /** Repositories whose compiled patterns are kept at most; beyond, they are compiled afresh. */
    static final int MAX_COMPILED = 1000;

    private final String template;
    private final List<String> allowedPatterns;
    /** The allowed patterns compiled for a repository, by repository: an API resolve compiles no regular expression. */
    private final Map<String, List<Predicate<String>>> compiled = new ConcurrentHashMap<>();

    public SourceUrlPolicy(String template, List<String> allowedPatterns) {
        this.template = template;
        this.allowedPatterns = List.copyOf(allowedPatterns);
    }

    public String derived(SourceRepository repository) {
        return template.replace("{repository}", repository.toString());
    }

    /** A signed webhook's {@code clone_url}: trusted, but any userinfo is dropped; absent means the template. */
    public String fromWebhook(SourceRepository repository, String cloneUrl) {
        if (cloneUrl == null || cloneUrl.isBlank()) {
            return derived(repository);
        }
        URI uri = parse(cloneUrl);
        if (uri.getRawUserInfo() == null) {
            return cloneUrl;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), uri.getFragment()).toString();
        } catch (URISyntaxException e) {
            throw new InvalidSourceUrlException("clone_url cannot be rebuilt without its credentials");
        }
    }

    /** An API caller's {@code sourceUrl}: absent means the template; otherwise it must be allowed. */
    public String fromApiCaller(SourceRepository repository, String sourceUrl) {
        if (sourceUrl == null) {
            return derived(repository);
        }
        URI uri = parse(sourceUrl);
        if (uri.getRawUserInfo() != null) {
            throw new InvalidSourceUrlException("sourceUrl must not carry credentials (user:password@); "
                    + "the farm fetches private repositories with its own token");
        }
        if (allowedFor(repository.toString()).stream().noneMatch(allowed -> allowed.test(sourceUrl))) {
            throw new InvalidSourceUrlException("sourceUrl " + sourceUrl + " is not allowed for " + repository
                    + ": it must match one of " + allowedPatterns + " (imagefarm.hasher.source.allowed-url-patterns)");
        }
        return sourceUrl;
    }

    private List<Predicate<String>> allowedFor(String repository) {
        List<Predicate<String>> patterns = compiled.get(repository);
        if (patterns == null) {
            if (compiled.size() >= MAX_COMPILED) {
                compiled.clear(); // bounded: a rare recompilation beats a map that grows with every repository
            }
            patterns = allowedPatterns.stream().map(p -> SourceUrls.matcher(p, repository)).toList();
            compiled.put(repository, patterns);
        }
        return patterns;
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null) {
                throw new InvalidSourceUrlException("sourceUrl '" + SourceUrls.redact(url) + "' has no scheme");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidSourceUrlException("sourceUrl is not a URL: " + e.getReason());
        }
    }
}
