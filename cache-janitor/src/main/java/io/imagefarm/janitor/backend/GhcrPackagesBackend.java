package io.imagefarm.janitor.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.registry.Descriptor;
import io.imagefarm.core.registry.Manifest;
import io.imagefarm.core.registry.Manifests;
import io.imagefarm.janitor.policy.Artifact;
import io.imagefarm.janitor.policy.Deletion;
import io.imagefarm.janitor.policy.Inventory;
import io.imagefarm.registry.FetchedManifest;
import io.imagefarm.registry.LinkHeader;
import io.imagefarm.registry.RegistryClient;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * ghcr.io through the GitHub Packages REST API: package versions listed with {@code Link rel="next"}
 * pagination ({@code id}, {@code name} = digest, {@code metadata.container.tags}, {@code created_at}),
 * deleted by id. Untagged versions are visible here, so {@link Inventory#listsUntagged()} is true. Each
 * version's manifest is read over the registry API to learn index children (on ghcr.io the per-arch
 * children of a multi-arch image are untagged versions, which safety rule 2 must protect) and blob sizes.
 *
 * <p>Rate limits: writes go through a {@link RateBudget}; a 429, or a 403 with
 * {@code x-ratelimit-remaining: 0}, waits for {@code retry-after} or {@code x-ratelimit-reset} within the
 * budget, and past it the rest of the run is deferred. "Cannot delete the last tagged version" (400) is
 * a {@link DeletionRefusedException}, reported and not retried.
 */
public final class GhcrPackagesBackend implements JanitorBackend {

    private static final Logger LOG = Logger.getLogger(GhcrPackagesBackend.class);
    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final int TRANSIENT_ATTEMPTS = 3;
    private static final Duration SECONDARY_LIMIT_WAIT = Duration.ofSeconds(60);

    /** @param token null for anonymous calls; never printed */
    public record Settings(String token, int perPage, int deletesPerMinute, Duration maxRateLimitWait) {
        @Override
        public String toString() {
            return "Settings[token=***, perPage=" + perPage + ", deletesPerMinute=" + deletesPerMinute
                    + ", maxRateLimitWait=" + maxRateLimitWait + "]";
        }
    }

    private final GhcrPackagesApi api;
    private final Settings settings;
    private final RegistryClient registry;
    private final RateBudget budget;
    private final Clock clock;

    /**
     * One per run, since its rate budget lasts one run; {@code api} and {@code registry} are the process's
     * shared clients.
     */
    public GhcrPackagesBackend(GhcrPackagesApi api, Settings settings, RegistryClient registry, Clock clock,
                               RateBudget.Sleeper sleeper) {
        this.api = api;
        this.settings = settings;
        this.registry = registry;
        this.clock = clock;
        this.budget = new RateBudget(settings.deletesPerMinute(), settings.maxRateLimitWait(), clock, sleeper);
    }

    /** A GitHub package version, as the REST API shows it. */
    record Version(long id, String digest, List<String> tags, Instant createdAt) {
    }

    @Override
    public Inventory scan(RepositoryTarget target) {
        List<Version> versions = listVersions(target);
        Map<Version, Manifest> manifests = new java.util.LinkedHashMap<>();
        Map<String, String> attests = new java.util.HashMap<>();
        for (Version v : versions) {
            Optional<FetchedManifest> fetched = registry.getManifest(target.repository().digest(v.digest()));
            if (fetched.isEmpty()) {
                throw new GithubApiException("version " + v.id() + " (" + v.digest() + ") of " + target.image()
                        + " is listed but its manifest cannot be read; refusing to plan without knowing its children", 404);
            }
            Manifest m = fetched.get().manifest();
            manifests.put(v, m);
            Manifests.attestations(m).forEach(attests::putIfAbsent);
        }
        List<Artifact> artifacts = new ArrayList<>();
        manifests.forEach((v, m) -> artifacts.add(new Artifact(v.digest(), Long.toString(v.id()), new LinkedHashSet<>(v.tags()),
                m.isIndex(), Manifests.childManifests(m).stream().map(Descriptor::digest).toList(), v.createdAt(),
                Manifests.blobs(m), attests.get(v.digest()))));
        return new Inventory(target.image(), artifacts, true);
    }

    /** Every active version of the package, following {@code Link rel="next"}. A missing package has none. */
    List<Version> listVersions(RepositoryTarget target) {
        Owner owner = Owner.of(target);
        List<Version> versions = new ArrayList<>();
        int perPage = settings.perPage();
        int page = 1;
        Set<Integer> seen = new java.util.HashSet<>();
        while (true) {
            int p = page;
            int n = perPage;
            try (Response r = call(() -> api.listVersions(owner.owners, owner.owner, owner.encodedPackage, n, p, "active",
                    authorization(), GhcrPackagesApi.ACCEPT, GhcrPackagesApi.API_VERSION), false, "list versions of " + target.image())) {
                if (r.getStatus() == 404) {
                    return versions;
                }
                requireSuccess(r, "list versions of " + target.image());
                JsonNode body = JSON.readTree(r.readEntity(byte[].class));
                for (JsonNode v : body) {
                    List<String> tags = new ArrayList<>();
                    v.path("metadata").path("container").path("tags").forEach(t -> tags.add(t.asText()));
                    versions.add(new Version(v.path("id").asLong(), v.path("name").asText(), tags,
                            Manifests.parseTime(v.path("created_at").asText(null)).orElse(null)));
                }
                Optional<URI> next = LinkHeader.next(r.getHeaderString("Link"));
                if (next.isEmpty()) {
                    return versions;
                }
                Map<String, String> q = LinkHeader.query(next.get());
                page = q.containsKey("page") ? Integer.parseInt(q.get("page")) : page + 1;
                perPage = q.containsKey("per_page") ? Integer.parseInt(q.get("per_page")) : perPage;
                if (!seen.add(page) || page <= p) {
                    throw new GithubApiException("version pagination of " + target.image() + " does not advance: "
                            + r.getHeaderString("Link"), r.getStatus());
                }
            } catch (IOException e) {
                throw new GithubApiException("versions of " + target.image() + " are not JSON: " + e.getMessage(), 502);
            }
        }
    }

    @Override
    public DeleteResult delete(RepositoryTarget target, Deletion deletion) {
        if (deletion.versionId() == null) {
            throw new IllegalArgumentException("ghcr.io deletes by package version id; none for " + deletion.label());
        }
        Owner owner = Owner.of(target);
        String what = "delete version " + deletion.versionId() + " (" + deletion.label() + ") of " + target.image();
        try (Response r = call(() -> api.deleteVersion(owner.owners, owner.owner, owner.encodedPackage, deletion.versionId(),
                authorization(), GhcrPackagesApi.ACCEPT, GhcrPackagesApi.API_VERSION), true, what)) {
            if (r.getStatus() == 404) {
                return DeleteResult.ALREADY_GONE;
            }
            if (r.getStatus() == 400) {
                throw new DeletionRefusedException(what + " refused (400): " + message(r), 400);
            }
            requireSuccess(r, what);
            return DeleteResult.DELETED;
        }
    }

    @Override
    public List<String> notes() {
        return List.of("ghcr.io frees storage when a version is deleted; deleted versions can be restored from the"
                + " package settings for 30 days.");
    }

    // ---------------------------------------------------------------------------------------- plumbing

    private Response call(Supplier<Response> op, boolean write, String what) {
        for (int attempt = 1; ; attempt++) {
            if (write) {
                budget.acquire();
            }
            Response r;
            try {
                r = op.get();
            } catch (ProcessingException e) {
                if (attempt >= TRANSIENT_ATTEMPTS) {
                    throw new GithubApiException(what + ": GitHub API unreachable: " + e.getMessage(), 0);
                }
                budget.waitFor(Duration.ofSeconds(attempt), what + ": GitHub API unreachable");
                continue;
            }
            Optional<Duration> limited = rateLimitWait(r);
            if (limited.isPresent()) {
                r.close();
                LOG.infof("%s: rate limited (%d), waiting %ss", what, r.getStatus(), limited.get().toSeconds());
                budget.waitFor(limited.get(), what + ": GitHub answered " + r.getStatus() + " (rate limit)");
                continue;
            }
            if (r.getStatus() >= 500 && attempt < TRANSIENT_ATTEMPTS) {
                r.close();
                budget.waitFor(Duration.ofSeconds(attempt), what + ": GitHub answered " + r.getStatus());
                continue;
            }
            return r;
        }
    }

    /** 429, or 403 with an exhausted rate limit: how long GitHub asks us to wait. Empty for anything else. */
    private Optional<Duration> rateLimitWait(Response r) {
        int status = r.getStatus();
        if (status != 429 && status != 403) {
            return Optional.empty();
        }
        String retryAfter = r.getHeaderString("retry-after");
        if (retryAfter != null && retryAfter.trim().matches("\\d+")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter.trim())));
        }
        String remaining = r.getHeaderString("x-ratelimit-remaining");
        String reset = r.getHeaderString("x-ratelimit-reset");
        if ("0".equals(remaining) && reset != null && reset.trim().matches("\\d+")) {
            Duration until = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(reset.trim())));
            return Optional.of(until.isNegative() ? Duration.ZERO : until.plusSeconds(1));
        }
        // A secondary rate limit without headers: GitHub says to wait at least a minute.
        return status == 429 ? Optional.of(SECONDARY_LIMIT_WAIT) : Optional.empty();
    }

    private String authorization() {
        return settings.token() == null || settings.token().isBlank() ? null : "Bearer " + settings.token();
    }

    private static void requireSuccess(Response r, String what) {
        if (r.getStatus() >= 200 && r.getStatus() < 300) {
            return;
        }
        throw new GithubApiException(what + " failed: " + r.getStatus() + " " + message(r), r.getStatus());
    }

    private static String message(Response r) {
        if (!r.hasEntity()) {
            return "";
        }
        try {
            JsonNode body = JSON.readTree(r.readEntity(byte[].class));
            return body.path("message").asText("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** {@code ghcr.io/acme/tools/widget} is package {@code tools/widget} of owner {@code acme}. */
    private record Owner(String owners, String owner, String encodedPackage) {
        static Owner of(RepositoryTarget target) {
            String repo = target.repository().path();
            int slash = repo.indexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("ghcr.io image " + target.image() + " needs an owner: ghcr.io/<owner>/<package>");
            }
            String owners = target.ghcrOwner().pathSegment();
            String pkg = URLEncoder.encode(repo.substring(slash + 1), StandardCharsets.UTF_8);
            return new Owner(owners, repo.substring(0, slash), pkg);
        }
    }
}
