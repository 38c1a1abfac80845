package io.imagefarm.worker.context;

import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.git.SourceUrls;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which {@code sourceUrl}s a worker fetches, whoever produced the event: an allowed scheme, no user
 * info (credentials never come from an event; the worker has its own git token), no {@code .} or
 * {@code ..} segments, no query or fragment, and a match with one of the allowed patterns for the
 * event's repository.
 *
 * <p>Patterns are git-fetch's {@link SourceUrls} language, e.g.
 * {@code https://github.com/{repository}.git} or {@code file:///srv/git/**}. URLs go into messages
 * only through {@link SourceUrls#redact}, so a password planted in one never reaches a log or a status.
 */
public final class SourcePolicy {

    private final Set<String> allowedSchemes;
    private final List<String> allowedPatterns;

    public SourcePolicy(Set<String> allowedSchemes, List<String> allowedPatterns) {
        this.allowedSchemes = allowedSchemes.stream().map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.allowedPatterns = allowedPatterns.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        if (this.allowedSchemes.isEmpty()) {
            throw new IllegalArgumentException("imagefarm.worker.context.allowed-schemes is empty: no source could be fetched");
        }
        if (this.allowedPatterns.isEmpty()) {
            throw new IllegalArgumentException("imagefarm.worker.context.allowed-url-patterns is empty: no source could be fetched");
        }
        for (String pattern : this.allowedPatterns) {
            int colon = pattern.indexOf("://");
            if (colon <= 0 || pattern.substring(0, colon).contains("*")) {
                throw new IllegalArgumentException("allowed URL pattern '" + pattern
                        + "' must start with a literal scheme and '://', e.g. https://github.com/{repository}.git");
            }
            if (pattern.substring(0, colon + 3).contains("@") || authority(pattern).contains("@")) {
                throw new IllegalArgumentException("allowed URL pattern '" + SourceUrls.redact(pattern) + "' must not carry user info");
            }
        }
    }

    /**
     * Throws {@link InvalidContextException} (permanent) unless the worker may fetch {@code sourceUrl}
     * for {@code repository}. The message shows the URL redacted.
     */
    public void check(String sourceUrl, String repository) {
        if (sourceUrl == null || sourceUrl.isBlank()) {
            throw new InvalidContextException("the event names no sourceUrl to fetch the context from");
        }
        String shown = SourceUrls.redact(sourceUrl);
        URI uri;
        try {
            uri = new URI(sourceUrl);
        } catch (URISyntaxException e) {
            // e.getMessage() quotes the input: only the reason may go into the message
            throw new InvalidContextException("sourceUrl '" + shown + "' is not a URL: " + e.getReason());
        }
        String authority = uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
            throw new InvalidContextException("sourceUrl '" + shown + "' carries user info (credentials); such URLs are "
                    + "refused: the worker authenticates with its own token (imagefarm.worker.git.token-file)");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !allowedSchemes.contains(scheme.toLowerCase(Locale.ROOT))) {
            throw new InvalidContextException("sourceUrl '" + shown + "': scheme " + scheme + " is not allowed; allowed: "
                    + allowedSchemes.stream().sorted().toList());
        }
        if (uri.isOpaque() || uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            throw new InvalidContextException("sourceUrl '" + shown + "' names no path");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidContextException("sourceUrl '" + shown + "' has a query or fragment; a git remote has neither");
        }
        String rawPath = uri.getRawPath();
        String lowerPath = rawPath.toLowerCase(Locale.ROOT);
        if (lowerPath.contains("%2f") || lowerPath.contains("%2e") || lowerPath.contains("%5c")) {
            throw new InvalidContextException("sourceUrl '" + shown + "' has a percent-encoded '/', '.' or '\\' in its path");
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidContextException("sourceUrl '" + shown + "' has a '" + segment + "' path segment");
            }
        }
        SourceRepository parsed;
        try {
            parsed = SourceRepository.parse(repository);
        } catch (InvalidReferenceException e) {
            throw new InvalidContextException("the event's repository cannot be matched against the allowed URL patterns: "
                    + e.getMessage());
        }
        for (String pattern : allowedPatterns) {
            if (SourceUrls.matches(pattern, parsed.toString(), sourceUrl)) {
                return;
            }
        }
        throw new InvalidContextException("sourceUrl '" + shown + "' is not allowed for repository " + parsed
                + ": it matches none of imagefarm.worker.context.allowed-url-patterns " + allowedPatterns);
    }

    private static String authority(String url) {
        int sep = url.indexOf("://");
        int end = url.indexOf('/', sep + 3);
        return url.substring(sep + 3, end < 0 ? url.length() : end);
    }

    @Override
    public String toString() {
        return "schemes " + allowedSchemes.stream().sorted().toList() + ", URL patterns " + allowedPatterns;
    }
}
