package io.imagefarm.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The source URL rules the hasher and the workers share, so a URL the hasher lets into an event is
 * judged by the same pattern language the workers judge it by.
 *
 * <p>Patterns: {@code {repository}} stands for the event's repository ({@code OWNER/NAME}), {@code *}
 * for any characters within one path segment (no {@code /}), {@code **} for any characters across
 * segments. Scheme and authority compare case-insensitively, the rest exactly.
 */
public final class SourceUrls {

    public static final String REPOSITORY_PLACEHOLDER = "{repository}";
    private static final String HIDDEN = "***";

    private SourceUrls() {
    }

    /** Whether {@code url} matches {@code pattern} with {@code {repository}} standing for {@code repository}. */
    public static boolean matches(String pattern, String repository, String url) {
        return matcher(pattern, repository).test(url);
    }

    /**
     * {@link #matches} with the pattern compiled once for {@code repository}: for a caller that checks many
     * URLs against the same patterns, so each check does not compile a regular expression again.
     */
    public static Predicate<String> matcher(String pattern, String repository) {
        Pattern compiled = compile(pattern, repository);
        return url -> compiled.matcher(lowerSchemeAndAuthority(url)).matches();
    }

    private static Pattern compile(String pattern, String repository) {
        String p = lowerSchemeAndAuthority(pattern);
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < p.length()) {
            if (p.startsWith(REPOSITORY_PLACEHOLDER, i)) {
                flush(regex, literal);
                regex.append(Pattern.quote(repository));
                i += REPOSITORY_PLACEHOLDER.length();
            } else if (p.startsWith("**", i)) {
                flush(regex, literal);
                regex.append(".*");
                i += 2;
            } else if (p.charAt(i) == '*') {
                flush(regex, literal);
                regex.append("[^/]*");
                i++;
            } else {
                literal.append(p.charAt(i));
                i++;
            }
        }
        flush(regex, literal);
        return Pattern.compile(regex.toString());
    }

    private static void flush(StringBuilder regex, StringBuilder literal) {
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
        }
    }

    /** {@code scheme://authority} lower-cased (both are case-insensitive); the rest as it is. */
    private static String lowerSchemeAndAuthority(String url) {
        int sep = url.indexOf("://");
        if (sep < 0) {
            return url;
        }
        int end = url.indexOf('/', sep + 3);
        if (end < 0) {
            end = url.length();
        }
        return url.substring(0, end).toLowerCase(Locale.ROOT) + url.substring(end);
    }

    /**
     * The URL with any user info replaced by {@code ***}: safe for logs, messages and statuses. Strings
     * that do not parse as URLs are redacted conservatively: everything between the scheme and the
     * last {@code @}. Also applied to JGit's messages, which quote the URL they failed on.
     */
    public static String redact(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        try {
            URI uri = new URI(text);
            String authority = uri.getRawAuthority();
            if (uri.getScheme() != null && authority != null) {
                int at = authority.lastIndexOf('@');
                if (at < 0) {
                    return text; // an '@' in the path hides nothing
                }
                int start = uri.getScheme().length() + 3;
                return text.substring(0, start) + HIDDEN + text.substring(start + at);
            }
        } catch (URISyntaxException e) {
            // not a URL (or a message quoting one): redact conservatively below
        }
        int sep = text.indexOf("://");
        int from = sep < 0 ? 0 : sep + 3;
        int at = text.lastIndexOf('@');
        if (at < from) {
            return text;
        }
        return text.substring(0, from) + HIDDEN + text.substring(at);
    }
}
