package io.imagefarm.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the farm depends on, checked in every values set against the services' own configuration: a
 * rename in builder-worker's application.properties breaks these tests, not a cluster.
 */
class WorkerPoolsTest {

    /** The worker's two incoming channels: the arch's work queue and its retry topic. */
    private static final List<String> WORKER_CHANNELS = List.of("image-required", "image-required-retry");

    static Stream<Path> valuesSets() {
        return Chart.valuesSets();
    }

    private static Properties workerProperties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Chart.REPO.resolve("builder-worker/src/main/resources/application.properties"))) {
            p.load(r);
        }
        return p;
    }

    /** A channel setting of the worker for one arch, as Quarkus expands it. */
    private static String workerSetting(Properties p, String channel, String key, String arch) {
        String value = p.getProperty("mp.messaging.incoming." + channel + "." + key);
        assertThat(value).as("builder-worker's %s.%s", channel, key).isNotNull();
        return value.replace("${imagefarm.worker.arch}", arch);
    }

    private static List<String> arches(Path valuesFile) {
        List<String> arches = new ArrayList<>();
        Chart.values(valuesFile).path("workers").path("arches").forEach(a -> arches.add(a.asText()));
        return arches;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void oneWorkerPoolPerArchRunsOnlyOnNodesOfThatArch(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);

        List<String> pools = r.workerPools().map(d -> d.getMetadata().getLabels().get("imagefarm.io/arch")).toList();
        assertThat(pools).containsExactlyInAnyOrderElementsOf(arches(valuesFile));
        r.workerPools().forEach(d -> {
            String arch = d.getMetadata().getLabels().get("imagefarm.io/arch");
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getNodeSelector()).as(d.getMetadata().getName()).containsEntry("kubernetes.io/arch", arch);
            assertThat(Rendered.env(Rendered.container(d, "builder-worker"), "IMAGEFARM_WORKER_ARCH")).contains(arch);
        });
        String hasherArches = Rendered.env(Rendered.container(r.deployment("farm-imagefarm-hasher"), "hasher-service"),
                "IMAGEFARM_HASHER_ARCHES").orElseThrow();
        assertThat(List.of(hasherArches.split(","))).as("the hasher creates a queue for every pool")
                .containsExactlyInAnyOrderElementsOf(arches(valuesFile));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void eachScaledObjectWatchesTheTopicsAndGroupsItsWorkersConsume(Path valuesFile) throws IOException {
        Properties worker = workerProperties();
        Rendered r = Rendered.of(valuesFile);
        boolean autoscaling = Chart.values(valuesFile).path("workers").path("autoscaling").path("enabled").asBoolean();

        List<ObjectNode> scaled = r.trees(StrictModels.SCALED_OBJECT).toList();
        assertThat(scaled).hasSize(autoscaling ? arches(valuesFile).size() : 0);
        for (ObjectNode so : scaled) {
            Deployment target = r.deployment(so.path("spec").path("scaleTargetRef").path("name").asText());
            String arch = target.getMetadata().getLabels().get("imagefarm.io/arch");
            assertThat(arch).as("%s scales a worker pool", so.path("metadata").path("name").asText()).isNotNull();
            Set<String> consumed = new HashSet<>();
            Set<String> offsetResets = new HashSet<>();
            for (String channel : WORKER_CHANNELS) {
                consumed.add(workerSetting(worker, channel, "topic", arch) + " / " + workerSetting(worker, channel, "group.id", arch));
                offsetResets.add(workerSetting(worker, channel, "auto.offset.reset", arch));
            }
            Set<String> watched = new HashSet<>();
            for (JsonNode t : so.path("spec").path("triggers")) {
                assertThat(t.path("type").asText()).isEqualTo("kafka");
                watched.add(t.path("metadata").path("topic").asText() + " / " + t.path("metadata").path("consumerGroup").asText());
                assertThat(Set.of(t.path("metadata").path("offsetResetPolicy").asText())).isEqualTo(offsetResets);
                assertThat(t.path("metadata").path("bootstrapServers").asText())
                        .isEqualTo(Rendered.env(Rendered.container(target, "builder-worker"), "KAFKA_BOOTSTRAP_SERVERS").orElseThrow());
            }
            assertThat(watched).as("arch %s", arch).isEqualTo(consumed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void noPoolScalesBeyondItsQueuesPartitions(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);
        int partitions = Integer.parseInt(Rendered.env(Rendered.container(r.deployment("farm-imagefarm-hasher"), "hasher-service"),
                "IMAGEFARM_HASHER_TOPICS_PARTITIONS").orElseThrow());

        r.trees(StrictModels.SCALED_OBJECT).forEach(so -> {
            assertThat(so.path("spec").path("maxReplicaCount").asInt()).as(so.path("metadata").path("name").asText())
                    .isPositive().isLessThanOrEqualTo(partitions);
            assertThat(so.path("spec").path("minReplicaCount").asInt())
                    .isLessThanOrEqualTo(so.path("spec").path("maxReplicaCount").asInt());
        });
        r.workerPools().filter(d -> d.getSpec().getReplicas() != null)
                .forEach(d -> assertThat(d.getSpec().getReplicas()).isLessThanOrEqualTo(partitions));
    }

    @Test
    void aValuesFileWithMoreWorkersThanPartitionsFailsTheRender() {
        Path tooMany = Path.of("src/test/resources/invalid-values/too-many-workers-values.yaml").toAbsolutePath();

        assertThatThrownBy(() -> Chart.template(tooMany))
                .hasMessageContaining("workers.autoscaling.maxReplicas (5) is larger than kafka.topics.partitions (4)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void kubernetesWaitsLongerThanTheWorkersDrain(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);

        assertThat(r.workerPools()).isNotEmpty();
        r.workerPools().forEach(d -> {
            Container worker = Rendered.container(d, "builder-worker");
            Duration drain = Duration.parse(Rendered.env(worker, "IMAGEFARM_WORKER_SHUTDOWN_GRACE")
                    .orElseThrow(() -> new AssertionError(d.getMetadata().getName() + " leaves the drain to the default")));
            long grace = d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
            assertThat(grace).as("%s: terminationGracePeriodSeconds against a drain of %s", d.getMetadata().getName(), drain)
                    .isGreaterThan(drain.toSeconds());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void theBuildEngineIsANativeSidecarReachedThroughASharedSocket(Path valuesFile) {
        Rendered.of(valuesFile).workerPools().forEach(d -> {
            Container engine = Rendered.container(d, "engine");
            Container worker = Rendered.container(d, "builder-worker");
            assertThat(d.getSpec().getTemplate().getSpec().getInitContainers()).contains(engine);
            assertThat(engine.getRestartPolicy()).as("outlives the worker's drain").isEqualTo("Always");
            assertThat(engine.getPorts()).as("no TCP port: the engine is reached through its socket only").isEmpty();
            String host = Rendered.env(worker, "IMAGEFARM_WORKER_DOCKER_HOST").orElseThrow();
            assertThat(host).startsWith("unix://");
            Path socketDir = Path.of(host.substring("unix://".length())).getParent();
            assertThat(mountedVolume(worker, socketDir)).isNotNull().isEqualTo(mountedVolume(engine, socketDir));
            assertThat(engine.getArgs()).contains("--host=" + host);
        });
    }

    private static String mountedVolume(Container c, Path dir) {
        return c.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(dir)).map(VolumeMount::getName)
                .findFirst().orElse(null);
    }
}
