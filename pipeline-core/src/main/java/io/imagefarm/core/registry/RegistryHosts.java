package io.imagefarm.core.registry;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a registry host is reached, the one rule for the services' registry client and the CLI: over
 * https, except loopback registries (a farm's own, a test's) and those an operator lists as plain-http.
 * Loopback means {@code localhost}, {@code [::1]} or an IPv4 literal in 127/8; a name that only begins
 * with {@code 127.} ({@code 127.example.com}) is a remote host and gets TLS.
 */
public final class RegistryHosts {

    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private RegistryHosts() {
    }

    /** @param registry a registry host, with its port if any ({@code localhost:5000}, {@code [::1]:5000}) */
    public static boolean isLoopback(String registry) {
        String host;
        if (registry.startsWith("[")) {
            int close = registry.indexOf(']');
            host = close < 0 ? registry : registry.substring(0, close + 1);
        } else {
            int colon = registry.indexOf(':');
            host = colon < 0 ? registry : registry.substring(0, colon);
        }
        return host.equalsIgnoreCase("localhost") || host.equals("[::1]") || LOOPBACK_V4.matcher(host).matches();
    }

    /** {@code http} for a loopback registry or one in {@code plainHttp}, else {@code https}. */
    public static String scheme(String registry, Set<String> plainHttp) {
        return isLoopback(registry) || plainHttp.contains(registry) ? "http" : "https";
    }
}
