package io.imagefarm.worker.buildx;

import io.imagefarm.core.event.FailureKind;
import io.imagefarm.worker.job.BuildOutcome;
import java.util.List;
import java.util.Locale;

/**
 * Decides what a failed {@code docker buildx build} means, from its output. Deterministic failures
 * (a RUN step exited non-zero, the Dockerfile does not parse, a file is missing from the context) are
 * permanent; registry 5xx/429 and network errors, a manifest PUT refused with 400 (see
 * {@link #refusedManifestPut}), and an unreachable engine, are transient.
 */
public final class FailureClassifier {

    private static final List<String> ENGINE_DOWN = List.of(
            "cannot connect to the docker daemon", "is the docker daemon running", "error during connect");
    private static final List<String> AUTH = List.of(
            "401 unauthorized", "403 forbidden", "unauthorized:", "denied:", "authentication required",
            "insufficient_scope", "no basic auth credentials");
    private static final List<String> NETWORK = List.of(
            "connection refused", "connection reset", "i/o timeout", "no such host", "tls handshake timeout",
            "unexpected eof", ": eof", "broken pipe", "network is unreachable", "server misbehaving",
            "500 internal server error", "502 bad gateway", "503 service unavailable", "504 gateway timeout",
            "429 too many requests", "toomanyrequests", "context deadline exceeded");
    private static final List<String> DETERMINISTIC = List.of(
            "did not complete successfully: exit code", "dockerfile parse error", "failed to parse dockerfile",
            "unknown instruction", "failed to compute cache key", "not found: not found", "syntax error",
            "unknown flag", "no build stage in current context");

    private FailureClassifier() {
    }

    public static BuildOutcome.Failed classify(String output, String tail) {
        String text = output.toLowerCase(Locale.ROOT);
        String reason = errorLine(output);
        if (containsAny(text, ENGINE_DOWN)) {
            return new BuildOutcome.Failed(FailureKind.ENGINE_UNAVAILABLE, reason, tail);
        }
        if (containsAny(text, DETERMINISTIC)) {
            return new BuildOutcome.Failed(FailureKind.BUILD_ERROR, reason, tail);
        }
        if (containsAny(text, AUTH)) {
            return new BuildOutcome.Failed(FailureKind.REGISTRY_AUTH, reason, tail);
        }
        if (containsAny(text, NETWORK) || refusedManifestPut(text)) {
            return new BuildOutcome.Failed(FailureKind.REGISTRY_UNAVAILABLE, reason, tail);
        }
        // Unknown: do not loop on it; report it with the output so a human can classify it.
        return new BuildOutcome.Failed(FailureKind.BUILD_ERROR, reason, tail);
    }

    /** The buildx {@code ERROR: ...} line, else the last non-blank line. */
    static String errorLine(String output) {
        String last = "docker buildx build failed";
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.startsWith("ERROR:")) {
                return l;
            }
            if (!l.isEmpty() && !l.equals("{") && !l.equals("}")) {
                last = l;
            }
        }
        return last;
    }

    /**
     * A manifest PUT answered 400 after its blobs were accepted. BuildKit's pusher does not show the body, but
     * with sound blobs this is distribution's filesystem storage reading a blob's link while a concurrent push
     * of the same blob (several workers mounting a new base layer into one repository) rewrites it: DIGEST_INVALID.
     * Asked again within the retry budget; a manifest the registry keeps refusing fails when that is spent.
     */
    static boolean refusedManifestPut(String lowerCaseText) {
        return lowerCaseText.lines().anyMatch(l -> l.contains("unexpected status from put request to")
                && l.contains("/manifests/") && l.contains("400 bad request"));
    }

    private static boolean containsAny(String text, List<String> needles) {
        return needles.stream().anyMatch(text::contains);
    }
}
