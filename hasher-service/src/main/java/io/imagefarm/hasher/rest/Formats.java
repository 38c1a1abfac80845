package io.imagefarm.hasher.rest;

import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the dashboard writes durations, instants, sizes and digests. */
@TemplateExtension
public class Formats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    static String human(Duration d) {
        if (d == null) {
            return "–";
        }
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
    }

    static String human(Instant t) {
        return t == null ? "–" : TIME.format(t);
    }

    static long epochMillis(Instant t) {
        return t == null ? 0 : t.toEpochMilli();
    }

    static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }

    static String seconds(Long millis) {
        return millis == null ? "–" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** For links: a query or path value, percent-encoded (names come from untrusted status records). */
    static String url(String value) {
        return value == null ? "" : java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String bytes(Long boxed) {
        long n = boxed == null ? 0 : boxed;
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    /** {@code sha256:0123456789ab} (the first 12 hex digits: enough to tell digests apart at a glance). */
    static String shortDigest(String digest) {
        if (digest == null) {
            return "–";
        }
        return digest.length() > 19 ? digest.substring(0, 19) : digest;
    }

    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
