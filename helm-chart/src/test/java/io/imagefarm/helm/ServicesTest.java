package io.imagefarm.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Services, probes and disruption budgets reach the pods they are meant for. */
class ServicesTest {

    static Stream<Path> valuesSets() {
        return Chart.valuesSets();
    }

    private static boolean selects(Map<String, String> selector, Deployment d) {
        return d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void everyServiceIsScrapeReadyAndReachesAnHttpPortOfItsPods(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);
        List<Service> services = r.all(Service.class).toList();

        assertThat(services).isNotEmpty();
        for (Service s : services) {
            String name = s.getMetadata().getName();
            assertThat(s.getMetadata().getLabels()).as(name).containsEntry("imagefarm.io/metrics", "true")
                    .containsEntry("app.kubernetes.io/part-of", "imagefarm");
            assertThat(s.getSpec().getPorts()).as(name).anyMatch(p -> "http".equals(p.getName())
                    && "http".equals(p.getTargetPort().getStrVal()));
            List<Deployment> backends = r.all(Deployment.class).filter(d -> selects(s.getSpec().getSelector(), d)).toList();
            assertThat(backends).as("%s selects pods", name).isNotEmpty();
            backends.forEach(d -> assertThat(d.getSpec().getTemplate().getSpec().getContainers())
                    .as("%s behind %s", d.getMetadata().getName(), name)
                    .anyMatch(c -> c.getPorts().stream().anyMatch(p -> "http".equals(p.getName()))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void everyServiceContainerIsProbedOnQuarkusHealth(Path valuesFile) {
        Rendered.of(valuesFile).all(Deployment.class).forEach(d -> {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                String where = d.getMetadata().getName() + "/" + c.getName();
                assertThat(c.getReadinessProbe().getHttpGet().getPath()).as(where).isEqualTo("/q/health/ready");
                assertThat(c.getLivenessProbe().getHttpGet().getPath()).as(where).isEqualTo("/q/health/live");
                assertThat(c.getStartupProbe().getHttpGet().getPath()).as(where).isEqualTo("/q/health/started");
                assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).as(where).isEqualTo("http");
            }
        });
    }

    @Test
    void withNetworkPoliciesOnWorkersTakeOnlyScrapesAndTheHasherOnlyItsPeers() {
        Path farm = Chart.DIR.resolve("ci/farm-values.yaml");
        Rendered r = Rendered.of(farm);
        Map<String, NetworkPolicy> policies = r.all(NetworkPolicy.class)
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
        NetworkPolicy workers = policies.get("farm-imagefarm-workers");
        NetworkPolicy hasher = policies.get("farm-imagefarm-hasher");

        r.workerPools().forEach(d -> assertThat(selects(workers.getSpec().getPodSelector().getMatchLabels(), d))
                .as(d.getMetadata().getName()).isTrue());
        assertThat(workers.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).extracting(p -> p.getPort().getStrVal()).containsExactly("http");
            assertThat(rule.getFrom()).extracting(p -> p.getNamespaceSelector().getMatchLabels())
                    .containsExactly(Map.of("kubernetes.io/metadata.name", "monitoring"));
        });
        assertThat(selects(hasher.getSpec().getPodSelector().getMatchLabels(), r.deployment("farm-imagefarm-hasher"))).isTrue();
        assertThat(hasher.getSpec().getIngress()).singleElement().satisfies(rule ->
                assertThat(rule.getFrom()).extracting(p -> p.getNamespaceSelector().getMatchLabels())
                        .containsExactly(Map.of("kubernetes.io/metadata.name", "ingress-nginx")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void theHasherKeepsAReplicaThroughDisruptions(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);
        Deployment hasher = r.deployment("farm-imagefarm-hasher");
        PodDisruptionBudget pdb = r.all(PodDisruptionBudget.class)
                .filter(p -> p.getMetadata().getName().equals("farm-imagefarm-hasher")).findFirst().orElseThrow();

        assertThat(hasher.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(selects(pdb.getSpec().getSelector().getMatchLabels(), hasher)).isTrue();
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isPositive().isLessThan(hasher.getSpec().getReplicas());
        assertThat(r.all(Deployment.class).filter(d -> selects(pdb.getSpec().getSelector().getMatchLabels(), d)))
                .containsExactly(hasher);
    }
}
