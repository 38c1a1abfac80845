package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.Processes;
import io.imagefarm.testsupport.RegistrySeeder;
import io.imagefarm.testsupport.SampleRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The README's demo as a test: every part a real process (Kafka broker JVM, distribution registry,
 * hasher, an amd64 and an arm64 worker, janitor), driven over HTTP as CI and GitHub would.
 * Steps build on each other, hence the order. Crashes, restarts and outages are {@link FaultSuiteIT}'s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path STACK = Path.of("target", "e2e-stack").toAbsolutePath();

    static StackClient stack;
    static SampleRepository sample;
    static String commit1;
    static String hash1;
    static String hash2;
    static JsonNode status1;

    @BeforeAll
    static void startStack() throws Exception {
        BuildHost.requireArm64Emulation();
        // From nothing, as a first run would.
        stack = DemoStack.startFresh(STACK, Map.of(), Map.of());
        sample = SampleRepository.init(STACK.resolve("sources").resolve("sample-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stopStack() {
        DemoStack.run(STACK, "stop");
    }

    static String dockerfile(String lastStep) {
        return "FROM " + stack.get("BASE_IMAGE") + "\n"
                + "RUN echo toolchains > /toolchains && sleep 2\n"
                + "RUN echo deps > /deps && sleep 2\n"
                + "RUN echo '" + lastStep + "' > /last-step\n";
    }

    static JsonNode webhook(String commit) throws Exception {
        return stack.pushWebhook("demo/sample", commit, sample.url());
    }

    static JsonNode awaitReadyWithIndex(String hash) {
        return stack.awaitReadyWithIndex(hash, "demo/sample");
    }

    static JsonNode arch(JsonNode status, String arch) {
        return StackClient.arch(status, arch);
    }

    @Test
    @Order(1)
    void signedPushWebhookPublishesABuildForEachArch() throws Exception {
        commit1 = sample.commit(SampleRepository.seedFiles(dockerfile("v1")), "first");
        JsonNode answer = webhook(commit1);
        hash1 = answer.path("versionHash").asText();
        assertThat(answer.path("arches")).extracting(a -> a.path("published").asBoolean()).containsExactly(true, true);
    }

    @Test
    @Order(2)
    void bothArchesAreBuiltPushedAndJoinedInAMultiArchIndex() throws Exception {
        status1 = awaitReadyWithIndex(hash1);
        for (String a : List.of("amd64", "arm64")) {
            assertThat(arch(status1, a).path("state").asText()).isEqualTo("BUILT");
            assertThat(arch(status1, a).path("digest").asText()).startsWith("sha256:");
        }
        Processes.Result inspect = Processes.run(Duration.ofMinutes(1), List.of("docker", "buildx", "imagetools", "inspect",
                status1.path("index").path("image").asText())).orThrow();
        assertThat(inspect.output()).contains("linux/amd64", "linux/arm64");
        // each platform's provenance is in the index beside its image (buildx shows it as unknown/unknown)
        assertThat(inspect.output()).contains("unknown/unknown", "attestation-manifest");
        // CI runs in the index pinned by digest: the image built from commit 1 runs
        String pinned = io.imagefarm.core.image.ImageRef.parse(status1.path("index").path("image").asText())
                .withDigest(status1.path("index").path("digest").asText()).toString();
        Processes.Result run = Processes.run(Duration.ofMinutes(2), List.of("docker", "run", "--rm", "--network", "none",
                "--platform", "linux/amd64", pinned, "cat", "/last-step")).orThrow();
        assertThat(run.output()).contains("v1");
        Processes.run(Duration.ofMinutes(1), List.of("docker", "image", "rm", pinned));
    }

    @Test
    @Order(3)
    void changingOnlyTheLastStepRebuildsWithEarlierStepsFromTheRegistryCache() throws Exception {
        // a fresh build host: nothing local to reuse, so cached steps can only come from buildcache-<arch>
        Processes.run(Duration.ofMinutes(2), List.of("docker", "buildx", "prune", "-af")).orThrow();
        sample.commit(SampleRepository.seedFiles(dockerfile("v2")), "second");
        String commit2 = Processes.run(Duration.ofSeconds(10), sample.dir(), Map.of(), List.of("git", "rev-parse", "HEAD")).orThrow().output().trim();
        hash2 = webhook(commit2).path("versionHash").asText();
        assertThat(hash2).isNotEqualTo(hash1);

        JsonNode status2 = awaitReadyWithIndex(hash2);
        for (String a : List.of("amd64", "arm64")) {
            assertThat(arch(status2, a).path("cachedSteps").asInt()).as(a + " cached steps").isGreaterThanOrEqualTo(2);
            assertThat(arch(status2, a).path("timings").path("buildMillis").asLong()).as(a + " faster")
                    .isLessThan(arch(status1, a).path("timings").path("buildMillis").asLong());
        }
    }

    @Test
    @Order(4)
    void theFirstWebhookAgainRebuildsNothing() throws Exception {
        JsonNode again = webhook(commit1);
        assertThat(again.path("arches")).extracting(a -> a.path("published").asBoolean()).containsOnly(false);
        assertThat(again.path("arches")).extracting(a -> a.path("state").asText()).containsOnly("EXISTS");
    }

    @Test
    @Order(5)
    void cliResolveWaitsAndPrintsTheImagesForCi() throws Exception {
        Processes.Result r = Processes.run(Duration.ofMinutes(2), ROOT, Map.of(), List.of("bin/imagefarm", "resolve",
                "--server", stack.get("HASHER_URL"), "--repo-dir", sample.dir().toString(), "--repository", "demo/sample",
                "--token-file", stack.get("CI_TOKEN_FILE"),
                "--wait", "--timeout", "PT60S"));

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("version-hash=" + hash2, "outcome=READY",
                "image-amd64=" + stack.get("REGISTRY") + "/demo/sample:builder-" + hash2 + "-amd64",
                "index=" + stack.get("REGISTRY") + "/demo/sample:builder-" + hash2);
        java.util.regex.Matcher pinned = java.util.regex.Pattern.compile("(?m)^image=(\\S+@(sha256:[0-9a-f]{64}))$").matcher(r.output());
        assertThat(pinned.find()).as("resolve --wait prints the pinned image: " + r.output()).isTrue();
        String image = pinned.group(1);
        String indexDigest = pinned.group(2);
        String commit = Processes.run(Duration.ofSeconds(10), sample.dir(), Map.of(), List.of("git", "rev-parse", "HEAD"))
                .orThrow().output().trim();

        // by the project's CLI: every signature, digest, provenance subject, repository and commit
        Processes.Result verified = Processes.run(Duration.ofMinutes(1), ROOT, Map.of(), List.of("bin/imagefarm", "verify", image,
                "--key", stack.get("SIGNING_PUBLIC_KEY"), "--repository", "demo/sample", "--commit", commit));
        assertThat(verified.exitCode()).as(verified.output()).isZero();

        // independently, by openssl on the registry's bytes: the index signature's payload and annotation
        RegistrySeeder registry = new RegistrySeeder("http://" + stack.get("REGISTRY"), null);
        JsonNode sig = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                registry.get("/v2/demo/sample/manifests/sha256-" + indexDigest.substring(7) + ".sig").body());
        JsonNode layer = sig.path("layers").get(0);
        assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
        byte[] payload = registry.getBytes("/v2/demo/sample/blobs/" + layer.path("digest").asText());
        JsonNode claims = new com.fasterxml.jackson.databind.ObjectMapper().readTree(payload);
        assertThat(claims.path("critical").path("image").path("docker-manifest-digest").asText()).isEqualTo(indexDigest);
        assertThat(claims.path("critical").path("type").asText()).isEqualTo("cosign container image signature");
        assertThat(claims.path("optional").path("versionHash").asText()).isEqualTo(hash2);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(STACK, "openssl");
        java.nio.file.Path payloadFile = java.nio.file.Files.write(dir.resolve("payload.json"), payload);
        java.nio.file.Path der = java.nio.file.Files.write(dir.resolve("signature.der"), java.util.Base64.getDecoder()
                .decode(layer.path("annotations").path("dev.cosignproject.cosign/signature").asText()));
        Processes.Result openssl = Processes.run(Duration.ofSeconds(30), List.of("openssl", "dgst", "-sha256", "-verify",
                stack.get("SIGNING_PUBLIC_KEY"), "-signature", der.toString(), payloadFile.toString()));
        assertThat(openssl.exitCode()).as(openssl.output()).isZero();
        assertThat(openssl.output()).contains("Verified OK");

        // another key is refused
        java.nio.file.Path otherKey = dir.resolve("other.key");
        Processes.run(Duration.ofSeconds(30), List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-out", otherKey.toString())).orThrow();
        Processes.run(Duration.ofSeconds(30), List.of("openssl", "pkey", "-in", otherKey.toString(), "-pubout", "-out",
                dir.resolve("other.pub").toString())).orThrow();
        Processes.Result refused = Processes.run(Duration.ofMinutes(1), ROOT, Map.of(), List.of("bin/imagefarm", "verify", image,
                "--key", dir.resolve("other.pub").toString()));
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("bad-signature");

        // a signature deleted from the registry is signed again by the hasher (revalidate-interval PT10S here)
        String sigPath = "/v2/demo/sample/manifests/sha256-" + indexDigest.substring(7) + ".sig";
        String sigDigest = registry.head(sigPath).headers().firstValue("Docker-Content-Digest").orElseThrow();
        assertThat(registry.delete("/v2/demo/sample/manifests/" + sigDigest).statusCode()).isEqualTo(202);
        assertThat(registry.headStatus(sigPath)).isEqualTo(404);
        // signed again, not left behind by a failed delete: ECDSA signatures differ, so the manifest's digest does
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(registry.head(sigPath).headers()
                .firstValue("Docker-Content-Digest")).get().isNotEqualTo(sigDigest));
        Processes.Result restored = Processes.run(Duration.ofMinutes(1), ROOT, Map.of(), List.of("bin/imagefarm", "verify",
                image, "--key", stack.get("SIGNING_PUBLIC_KEY"), "--repository", "demo/sample", "--commit", commit));
        assertThat(restored.exitCode()).as(restored.output()).isZero();
    }

    /**
     * The composite action's own script, run as a GitHub runner runs it: in the checkout, with the runtime's
     * token request (the local issuer stands in for GitHub's, a contract test) and GITHUB_OUTPUT. It hands
     * the job the pinned image, which verify accepts; a token of another repository, or none, gets no image.
     */
    @Test
    @Order(6)
    void theCompositeActionHandsTheJobThePinnedImageWithItsOidcTokenAndNothingWithout() throws Exception {
        Path script = ROOT.resolve(".github/actions/ensure-builder-image/ensure-builder-image.sh");
        String commit = Processes.run(Duration.ofSeconds(10), sample.dir(), Map.of(), List.of("git", "rev-parse", "HEAD"))
                .orThrow().output().trim();
        Path outputs = java.nio.file.Files.createTempFile(STACK, "github-output", ".txt");
        Map<String, String> job = new java.util.HashMap<>(Map.of("SERVER", stack.get("HASHER_URL"), "REPOSITORY", "demo/sample",
                "COMMIT", commit, "TIMEOUT", "PT60S", "AUDIENCE", "imagefarm", "GITHUB_OUTPUT", outputs.toString(),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "job-request-token",
                "ACTIONS_ID_TOKEN_REQUEST_URL", stack.get("OIDC_ISSUER_URL") + "/actions/idtoken?repository=demo/sample&sha=" + commit));

        Processes.Result r = Processes.run(Duration.ofMinutes(2), sample.dir(), job, List.of("bash", script.toString()));

        assertThat(r.exitCode()).as(r.output()).isZero();
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String line : java.nio.file.Files.readAllLines(outputs)) {
            out.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        String index = stack.get("REGISTRY") + "/demo/sample:builder-" + hash2;
        assertThat(out).containsEntry("version-hash", hash2).containsEntry("index", index)
                .containsEntry("image-amd64", index + "-amd64").containsEntry("image-arm64", index + "-arm64");
        assertThat(out.get("index-digest")).matches("sha256:[0-9a-f]{64}");
        assertThat(out.get("image")).isEqualTo(index + "@" + out.get("index-digest"));
        assertThat(r.output().lines().filter(line -> line.contains(".eyJ")))
                .as("the token appears only in the runner's mask command").allMatch(line -> line.startsWith("::add-mask::"));
        Processes.Result verified = Processes.run(Duration.ofMinutes(1), ROOT, Map.of(), List.of("bin/imagefarm", "verify",
                out.get("image"), "--key", stack.get("SIGNING_PUBLIC_KEY"), "--repository", "demo/sample", "--commit", commit));
        assertThat(verified.exitCode()).as(verified.output()).isZero();

        // another repository's job: the hasher refuses its token for demo/sample, the job gets no image
        java.nio.file.Files.writeString(outputs, "");
        job.put("ACTIONS_ID_TOKEN_REQUEST_URL", stack.get("OIDC_ISSUER_URL") + "/actions/idtoken?repository=demo/other&sha=" + commit);
        Processes.Result other = Processes.run(Duration.ofMinutes(1), sample.dir(), job, List.of("bash", script.toString()));
        assertThat(other.exitCode()).as(other.output()).isEqualTo(1);
        assertThat(other.output()).contains("::error::resolve failed");
        assertThat(java.nio.file.Files.readString(outputs)).doesNotContain("image");

        // a workflow without 'permissions: id-token: write': the runner sets no token request URL
        job.put("ACTIONS_ID_TOKEN_REQUEST_URL", "");
        Processes.Result none = Processes.run(Duration.ofMinutes(1), sample.dir(), job, List.of("bash", script.toString()));
        assertThat(none.exitCode()).as(none.output()).isEqualTo(1);
        assertThat(none.output()).contains("::error::no OIDC token available: give the workflow 'permissions: id-token: write'");
        assertThat(java.nio.file.Files.readString(outputs)).isEmpty();
    }

    @Test
    @Order(7)
    void janitorWithKeepHashesOnePrunesTheFirstHashAndKeepsTheCurrentOne() throws Exception {
        String janitor = stack.get("JANITOR_URL") + "/api/v1/janitor/runs";
        JsonNode plan = stack.postJsonAsAdmin(janitor, "{\"dryRun\":true}");
        RegistrySeeder registry = new RegistrySeeder("http://" + stack.get("REGISTRY"), null);
        assertThat(registry.headStatus("/v2/demo/sample/manifests/builder-" + hash1 + "-amd64")).as("dry run deletes nothing: " + plan).isEqualTo(200);

        stack.postJsonAsAdmin(janitor, "{\"dryRun\":false}");

        for (String tag : List.of("builder-" + hash1, "builder-" + hash1 + "-amd64", "builder-" + hash1 + "-arm64")) {
            assertThat(registry.headStatus("/v2/demo/sample/manifests/" + tag)).as(tag).isEqualTo(404);
        }
        for (String tag : List.of("builder-" + hash2, "builder-" + hash2 + "-amd64", "builder-" + hash2 + "-arm64",
                "buildcache-amd64", "buildcache-arm64")) {
            assertThat(registry.headStatus("/v2/demo/sample/manifests/" + tag)).as(tag).isEqualTo(200);
        }
    }

    @Test
    @Order(8)
    void aPrunedHashIsRebuiltOnTheNextPushAndItsIndexPushedAgain() throws Exception {
        RegistrySeeder registry = new RegistrySeeder("http://" + stack.get("REGISTRY"), null);
        assertThat(registry.headStatus("/v2/demo/sample/manifests/builder-" + hash1)).as("pruned by the janitor").isEqualTo(404);

        JsonNode again = webhook(commit1);
        assertThat(again.path("arches")).extracting(a -> a.path("published").asBoolean()).as(again.toString()).containsOnly(true);

        JsonNode status = awaitReadyWithIndex(hash1);
        assertThat(status.path("index").path("state").asText()).isEqualTo("BUILT");
        assertThat(registry.headStatus("/v2/demo/sample/manifests/builder-" + hash1)).as("index pushed again").isEqualTo(200);
    }

    @Test
    @Order(9)
    void aTagPushedOverByHandIsReportedTagMovedNeverReadyAndARetryRebuildsOverIt() throws Exception {
        RegistrySeeder registry = new RegistrySeeder("http://" + stack.get("REGISTRY"), null);
        String tag = "builder-" + hash1 + "-amd64";
        String byHand = registry.pushImage("demo/sample", tag, "amd64", java.time.Instant.now(), "pushed-by-hand").digest();
        String status = stack.get("HASHER_URL") + "/api/v1/images/" + hash1 + "?repository=demo/sample";

        JsonNode moved = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.getJson(status), s -> "FAILED".equals(arch(s, "amd64").path("state").asText()));
        assertThat(arch(moved, "amd64").path("failure").asText()).isEqualTo("TAG_MOVED");
        assertThat(arch(moved, "amd64").path("reason").asText()).contains(byHand);
        assertThat(moved.path("outcome").asText()).as("never READY on a pushed-over tag").isEqualTo("FAILED");

        stack.postJsonAsAdmin(stack.get("HASHER_URL") + "/api/v1/images/" + hash1 + "/retry?repository=demo/sample", "{}");
        JsonNode again = webhook(commit1);
        assertThat(arch(again, "amd64").path("published").asBoolean()).as(again.toString()).isTrue();

        JsonNode rebuilt = awaitReadyWithIndex(hash1);
        assertThat(arch(rebuilt, "amd64").path("digest").asText()).as("built over the tag").isNotEqualTo(byHand);
        assertThat(registry.head("/v2/demo/sample/manifests/" + tag).headers().firstValue("Docker-Content-Digest"))
                .contains(arch(rebuilt, "amd64").path("digest").asText());
    }
}
