package io.imagefarm.git;

import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.image.SourceRepository;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which git remotes may be fetched for a repository: the one rule set of the hasher (which refuses a
 * URL before it goes into an event) and the workers (which check every event's URL again before they
 * fetch). A URL passes when it parses, carries no user info (credentials never travel in URLs: the
 * farm fetches with its own token), has an allowed scheme, a path without {@code .}/{@code ..}
 * segments or percent-encoded {@code /}, {@code .} or {@code \}, no query or fragment, and matches one
 * of the allowed patterns ({@link SourceUrls}' language) for its repository.
 *
 * <p>Messages show URLs only through {@link SourceUrls#redact}. Thread-safe; the patterns compiled for
 * a repository are kept (at most {@value #MAX_COMPILED} repositories), so a check compiles no regular
 * expression.
 */
public final class SourceUrlRules {

    /** Repositories whose compiled patterns are kept at most; beyond, they are compiled afresh. */
    public static final int MAX_COMPILED = 1000;

    private final Set<String> allowedSchemes;
    private final List<String> allowedPatterns;
    private final Map<String, List<Predicate<String>>> compiled = new ConcurrentHashMap<>();

    /**
     * @throws IllegalArgumentException no scheme or pattern, or a pattern without a literal scheme, or
     *                                  with user info (a configuration error: refuse to start)
     */
    public SourceUrlRules(Set<String> allowedSchemes, List<String> allowedPatterns) {
        this.allowedSchemes = allowedSchemes.stream().map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.allowedPatterns = allowedPatterns.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        if (this.allowedSchemes.isEmpty()) {
            throw new IllegalArgumentException("no URL scheme is allowed: no source could be fetched");
        }
        if (this.allowedPatterns.isEmpty()) {
            throw new IllegalArgumentException("no URL pattern is allowed: no source could be fetched");
        }
        for (String pattern : this.allowedPatterns) {
            int colon = pattern.indexOf("://");
            if (colon <= 0 || pattern.substring(0, colon).contains("*")) {
                throw new IllegalArgumentException("allowed URL pattern '" + SourceUrls.redact(pattern)
                        + "' must start with a literal scheme and '://', e.g. https://github.com/{repository}.git");
            }
            if (authority(pattern).contains("@")) {
                throw new IllegalArgumentException("allowed URL pattern '" + SourceUrls.redact(pattern) + "' must not carry user info");
            }
        }
    }

    /** Rules whose schemes are those the patterns start with. */
    public static SourceUrlRules ofPatterns(List<String> allowedPatterns) {
        Set<String> schemes = new LinkedHashSet<>();
        for (String pattern : allowedPatterns) {
            int colon = pattern.strip().indexOf("://");
            if (colon > 0) {
                schemes.add(pattern.strip().substring(0, colon));
            }
        }
        return new SourceUrlRules(schemes, allowedPatterns);
    }

    /**
     * Throws unless {@code url} may be fetched for {@code repository} ({@code OWNER/NAME}).
     *
     * @throws RefusedSourceUrlException with a message that shows the URL redacted
     */
    public void check(String url, String repository) {
        if (url == null || url.isBlank()) {
            throw new RefusedSourceUrlException("no sourceUrl to fetch from");
        }
        String shown = SourceUrls.redact(url);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // e.getMessage() quotes the input: only the reason may go into the message
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' is not a URL: " + e.getReason());
        }
        if (hasUserInfo(uri)) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' carries user info (credentials); such URLs "
                    + "are refused: the farm fetches private repositories with its own token");
        }
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' has no scheme");
        }
        if (!allowedSchemes.contains(scheme.toLowerCase(Locale.ROOT))) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "': scheme " + scheme + " is not allowed; allowed: "
                    + allowedSchemes.stream().sorted().toList());
        }
        if (uri.isOpaque() || uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' names no path");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' has a query or fragment; a git remote has neither");
        }
        String rawPath = uri.getRawPath();
        String lowerPath = rawPath.toLowerCase(Locale.ROOT);
        if (lowerPath.contains("%2f") || lowerPath.contains("%2e") || lowerPath.contains("%5c")) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' has a percent-encoded '/', '.' or '\\' in its path");
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new RefusedSourceUrlException("sourceUrl '" + shown + "' has a '" + segment + "' path segment");
            }
        }
        String parsed;
        try {
            parsed = SourceRepository.parse(repository).toString();
        } catch (InvalidReferenceException e) {
            throw new RefusedSourceUrlException("the repository cannot be matched against the allowed URL patterns: "
                    + e.getMessage());
        }
        if (patternsFor(parsed).stream().noneMatch(p -> p.test(url))) {
            throw new RefusedSourceUrlException("sourceUrl '" + shown + "' is not allowed for repository " + parsed
                    + ": it matches none of the allowed URL patterns " + allowedPatterns);
        }
    }

    /**
     * {@code url} without its user info, for a remote from a trusted sender (a signed webhook's
     * {@code clone_url}) that {@link #check} must then pass. Both forms are stripped: a server authority's
     * ({@code https://user:pass@host/...}) and one {@link URI} parses as registry-based, with no user info
     * of its own ({@code file://user:pass@/path}).
     *
     * @throws RefusedSourceUrlException when it does not parse
     */
    public static String withoutUserInfo(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedSourceUrlException("sourceUrl '" + SourceUrls.redact(url) + "' is not a URL: " + e.getReason());
        }
        if (!hasUserInfo(uri)) {
            return url;
        }
        String authority = uri.getRawAuthority();
        int start = url.indexOf("://") + 3;
        int at = authority.lastIndexOf('@');
        return url.substring(0, start) + url.substring(start + at + 1);
    }

    private static boolean hasUserInfo(URI uri) {
        String authority = uri.getRawAuthority();
        return uri.getRawUserInfo() != null || (authority != null && authority.contains("@"));
    }

    private List<Predicate<String>> patternsFor(String repository) {
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
