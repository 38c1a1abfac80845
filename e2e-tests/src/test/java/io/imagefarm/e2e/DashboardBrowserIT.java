package io.imagefarm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.core.event.BuildState;
import io.imagefarm.core.event.EventCodec;
import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.event.Topics;
import io.imagefarm.testsupport.BuildHost;
import io.imagefarm.testsupport.SampleRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser (Debian's headless Chromium through Selenium) on the embedded stack:
 * live chips, the hash page, a failure's log tail, escaping of a hostile status, the janitor's plan,
 * the farm (workers alive, each arch's queue lag, the broker in sync). The hasher requests amd64 only
 * here, to keep the builds short; the stack still runs an arm64 worker, which has no work queue then.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    static final Path STACK = Path.of("target", "dashboard-stack").toAbsolutePath();
    static final String REPOSITORY = "demo/sample"; // the stack's janitor prunes it, keeping one hash

    static StackClient stack;
    static WebDriver browser;
    static SampleRepository sample;
    static String hash;
    static String commit;

    @BeforeAll
    static void start() throws IOException {
        BuildHost.requireEngineWithBuildx();
        BuildHost.requireBrowser();
        stack = DemoStack.startFresh(STACK, Map.of("hasher", List.of("-Dimagefarm.hasher.arches=amd64")), Map.of());
        sample = SampleRepository.init(STACK.resolve("sources").resolve("sample"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(BuildHost.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(BuildHost.CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        DemoStack.run(STACK, "stop");
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    static String chipState(String image) {
        return attribute(".chip[data-image='" + image + "']", "data-state");
    }

    /**
     * The trimmed text of the first element {@code css} matches, or null when none does. Read in one script:
     * the page replaces its board and farm live, so a WebElement held across reads can go stale.
     */
    static String text(String css) {
        return (String) js("var e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;", css);
    }

    /** An attribute of the first element {@code css} matches, or null; read in one script like {@link #text}. */
    static String attribute(String css, String name) {
        return (String) js("var e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
                css, name);
    }

    /** How many elements {@code css} matches now. */
    static long count(String css) {
        return (Long) js("return document.querySelectorAll(arguments[0]).length;", css);
    }

    static void awaitLive() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "on".equals(attribute("#live", "data-state")));
    }

    @Test
    @Order(1)
    void chipsGoFromRequestedThroughBuildingToBuiltLiveWithoutAReload() throws Exception {
        DemoStack.run(STACK, "stop", "worker-amd64"); // so REQUESTED stays long enough to be seen
        browser.get(stack.get("HASHER_URL") + "/");
        js("window.__sameDocument = 'yes';");
        awaitLive();

        commit = sample.commit(SampleRepository.seedFiles("FROM " + stack.get("BASE_IMAGE") + "\n"
                + "RUN echo toolchains > /t && sleep 4\n"), "first");
        JsonNode answer = stack.pushWebhook(REPOSITORY, commit, sample.url());
        hash = answer.path("versionHash").asText();
        String image = answer.path("arches").get(0).path("image").asText();

        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> record(seen, chipState(image)).contains("REQUESTED"));
        // the farm section, re-read live: no amd64 worker (it stopped and left), and the event waits in its queue
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(queueCell("amd64", "data-events")).as(farmText()).isEqualTo("1");
            assertThat(queueCell("amd64", "data-waiting")).as(farmText()).isEqualTo("1");
            assertThat(workerAttribute("worker-amd64-1", "data-alive")).as(farmText()).isNull();
        });
        // the consumer lag counts offsets: the event's, and its transaction's commit marker; as Kafka says
        assertThat(queueCell("amd64", "data-lag")).isEqualTo(String.valueOf(kafkaLag())).isEqualTo("2");
        DemoStack.run(STACK, "start", "worker-amd64");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> record(seen, chipState(image)).contains("BUILT"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(queueCell("amd64", "data-events")).as(farmText()).isEqualTo("0");
            assertThat(queueCell("amd64", "data-lag")).as("as Kafka says: " + farmText()).isEqualTo(String.valueOf(kafkaLag()));
            assertThat(workerAttribute("worker-amd64-1", "data-alive")).as(farmText()).isEqualTo("true");
        });

        assertThat(seen).as("states the chip showed").containsSubsequence("REQUESTED", "BUILDING", "BUILT");
        assertThat(js("return window.__sameDocument;")).as("the page was never reloaded").isEqualTo("yes");
    }

    /** The amd64 worker group's consumer lag on its work queue, asked of Kafka directly. */
    static long kafkaLag() throws Exception {
        try (TopicProbe probe = new TopicProbe(stack.get("KAFKA_BOOTSTRAP"))) {
            return probe.consumerLag(Topics.imageRequired(io.imagefarm.core.image.Arch.AMD64),
                    Topics.workerGroup(io.imagefarm.core.image.Arch.AMD64));
        }
    }

    /** The farm section as the page shows it now, for failure messages. */
    static String farmText() {
        return (String) js("var f = document.getElementById('farm'); return f ? f.innerText : 'no farm section';");
    }

    /** An attribute of the farm's queue row of {@code arch}, or null when there is no such row. */
    static String queueCell(String arch, String name) {
        return attribute("#farm tr.queue[data-arch='" + arch + "']", name);
    }

    /** An attribute of the farm's row of the worker {@code instanceId}, or null when it is not listed. */
    static String workerAttribute(String instanceId, String name) {
        return attribute("#farm tr.worker[data-instance='" + instanceId + "']", name);
    }

    /** Errors the browser console got since the last call (script errors, CSP violations, failed loads). */
    static List<String> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(e -> e.getLevel() + " " + e.getMessage()).toList();
    }

    @AfterEach
    void theBrowserConsoleHasNoErrors() {
        assertThat(consoleErrors()).as("browser console errors").isEmpty();
    }

    static List<String> record(List<String> seen, String state) {
        if (state != null && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(state))) {
            seen.add(state);
        }
        return seen;
    }

    @Test
    @Order(2)
    void theHashPageShowsWhyTheImageExistsItsTimelineAndItsDigests() {
        stack.awaitReadyWithIndex(hash, REPOSITORY); // the index comes a moment after the arch's BUILT
        // the board may be replaced live between finding the link and clicking it: then find it again
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class).until(() -> {
            browser.findElement(By.cssSelector("a[href^='/images/" + hash + "']")).click();
            return true;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/images/" + hash));

        String inputs = text("table.inputs");
        assertThat(inputs).contains("RUST_CHANNEL", "1.83.0", "NODE_VERSION", "DOCKERFILE_HASH");
        assertThat(text(".commit")).isEqualTo(commit);
        assertThat(text("article.arch .digest")).startsWith("sha256:");
        assertThat(text("section.index .digest")).startsWith("sha256:");
        assertThat(text("ol.timeline")).contains("REQUESTED", "BUILDING", "BUILT");
        // the pull line pins the index's digest, as CI is handed it
        assertThat(text("section.index .pull"))
                .isEqualTo("docker pull " + stack.get("REGISTRY") + "/" + REPOSITORY + ":builder-" + hash + "@"
                        + text("section.index .digest"));
    }

    @Test
    @Order(3)
    void aFailingBuildShowsFailedWithItsLogTailLive() throws Exception {
        SampleRepository broken = SampleRepository.init(STACK.resolve("sources").resolve("broken"));
        String brokenCommit = broken.commit(SampleRepository.seedFiles("FROM " + stack.get("BASE_IMAGE") + "\n"
                + "RUN echo boom-marker-4711 && false\n"), "broken");
        JsonNode answer = stack.pushWebhook("demo/broken", brokenCommit, broken.url());
        String brokenHash = answer.path("versionHash").asText();
        browser.get(stack.get("HASHER_URL") + "/images/" + brokenHash + "?repository=demo/broken");
        awaitLive();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                count("pre.log-tail") > 0);
        assertThat(attribute("article.arch .chip", "data-state")).isEqualTo("FAILED");
        assertThat(text(".failure-kind")).isEqualTo("BUILD_ERROR");
        assertThat(text("pre.log-tail")).contains("boom-marker-4711");
    }

    @Test
    @Order(4)
    void aRepositoryNameWithMarkupInAStatusRecordIsShownAsTextAndNeverRuns() throws Exception {
        String hostile = "demo/<script>window.__pwned=1</script>";
        String fakeHash = "0badc0de0badc0de";
        ImageStatus status = new ImageStatus(ImageStatus.SCHEMA_VERSION, stack.get("REGISTRY") + "/demo/hostile:builder-"
                + fakeHash + "-amd64", hostile, fakeHash, "amd64", BuildState.FAILED, null,
                io.imagefarm.core.event.FailureKind.BUILD_ERROR, "<img src=x onerror=\"window.__pwned=2\">", null, null,
                null, null, "hostile", null, Instant.now());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.get("KAFKA_BOOTSTRAP"), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.IMAGE_STATUS, status.image(), EventCodec.encodeToString(status))).get();
        }
        browser.get(stack.get("HASHER_URL") + "/");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            browser.navigate().refresh();
            return String.valueOf(text("body")).contains(hostile);
        });
        assertThat(js("return window.__pwned === undefined;")).as("no injected script ran").isEqualTo(true);
        assertThat(browser.findElements(By.xpath("//script[contains(., '__pwned')]"))).as("no script element was made").isEmpty();
    }

    @Test
    @Order(5)
    void theJanitorsDryRunPlanIsRenderedAsATable() throws Exception {
        // A second hash of the repository, so the janitor (keep one hash) plans to delete the first.
        String second = sample.commit(SampleRepository.seedFiles("FROM " + stack.get("BASE_IMAGE") + "\n"
                + "RUN echo second > /s\n"), "second");
        String secondHash = stack.pushWebhook(REPOSITORY, second, sample.url()).path("versionHash").asText();
        stack.awaitReadyWithIndex(secondHash, REPOSITORY);
        JsonNode report = stack.postJsonAsAdmin(stack.get("JANITOR_URL") + "/api/v1/janitor/runs", "{\"dryRun\":true}");
        String runId = report.path("runId").asText();

        browser.get(stack.get("HASHER_URL") + "/#janitor");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.navigate().refresh();
            return count("table.plan") > 0;
        });
        String plan = text("table.plan");
        Path shot = Path.of("target", "dashboard-overview.png");
        browser.get(stack.get("HASHER_URL") + "/");
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).as("screenshot " + shot.toAbsolutePath()).isGreaterThan(10_000);
        assertThat(plan).contains("builder-" + hash, "PLANNED");
        assertThat(text("section.janitor summary")).contains("dry run", "DRY_RUN");
        assertThat(runId).isNotBlank();
    }

    @Test
    @Order(6)
    void theFarmSectionShowsBothArchesWorkersAliveEachArchsLagAndTheBrokerInSync() {
        browser.get(stack.get("HASHER_URL") + "/");
        awaitLive();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(workerAttribute("worker-amd64-1", "data-alive")).as(farmText()).isEqualTo("true");
            assertThat(workerAttribute("worker-arm64-1", "data-alive")).as(farmText()).isEqualTo("true");
            assertThat(queueCell("amd64", "data-events")).as(farmText()).isEqualTo("0");
        });

        assertThat(text("#farm h2")).isEqualTo("Farm");
        assertThat(workerAttribute("worker-amd64-1", "data-arch")).isEqualTo("amd64");
        assertThat(workerAttribute("worker-arm64-1", "data-arch")).isEqualTo("arm64");
        assertThat(workerAttribute("worker-amd64-1", "data-state")).isEqualTo("IDLE");
        assertThat(text("#farm tr.worker[data-instance='worker-arm64-1'] .alive")).isEqualTo("alive");

        // amd64: its queue is drained (every build committed: no event is left, only the commit markers of
        // the transactions that wrote them count in the consumer lag), and one worker is alive on it
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(queueCell("amd64", "data-lag")).as("as Kafka says: " + farmText()).isEqualTo(String.valueOf(kafkaLag())));
        assertThat(text("#farm tr.queue[data-arch='amd64'] .events")).isEqualTo("0");
        assertThat(text("#farm tr.queue[data-arch='amd64'] .waiting")).isEqualTo("0");
        assertThat(text("#farm tr.queue[data-arch='amd64'] .alive-workers")).isEqualTo("1");
        // arm64: its worker is alive, but this hasher requests amd64 only, so it has no work queue
        assertThat(text("#farm tr.queue[data-arch='arm64'] .alive-workers")).isEqualTo("1");
        assertThat(text("#farm tr.queue[data-arch='arm64'] .problem")).contains("no work queue");

        // the stack's one broker: up, in the ISR of every pipeline partition, nothing under-replicated
        assertThat(count("#farm tr.broker")).isEqualTo(1);
        assertThat(attribute("#farm tr.broker", "data-up")).isEqualTo("true");
        assertThat(attribute("#farm tr.broker", "data-in-sync")).isEqualTo("true");
        assertThat(text("#farm tr.broker .address")).startsWith("127.0.0.1:");
        assertThat(text("#farm .under-replicated")).isEqualTo("0");
    }
}
