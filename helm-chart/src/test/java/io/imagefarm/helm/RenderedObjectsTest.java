package io.imagefarm.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code helm template} with every values set: each object is one the API server (or KEDA) would take. */
class RenderedObjectsTest {

    static Stream<Path> valuesSets() {
        return Chart.valuesSets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void everyKubernetesObjectParsesStrictlyIntoItsModel(Path valuesFile) {
        List<ObjectNode> objects = Chart.render(valuesFile);

        assertThat(objects).as(Chart.label(valuesFile)).isNotEmpty();
        for (ObjectNode o : objects) {
            String type = StrictModels.typeOf(o);
            if (type.startsWith("keda.sh/")) {
                continue;
            }
            assertThat(StrictModels.MODELS).as("%s renders %s, a kind no test checks", Chart.label(valuesFile), type)
                    .containsKey(type);
            assertThatCode(() -> StrictModels.parse(o))
                    .as("%s %s in %s", type, o.path("metadata").path("name").asText(), Chart.label(valuesFile))
                    .doesNotThrowAnyException();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void everyKedaObjectMeetsKedasCrdSchema(Path valuesFile) {
        List<ObjectNode> keda = Chart.render(valuesFile).stream()
                .filter(o -> StrictModels.typeOf(o).startsWith("keda.sh/")).toList();

        for (ObjectNode o : keda) {
            assertThat(KedaSchema.violations(o))
                    .as("%s %s in %s", StrictModels.typeOf(o), o.path("metadata").path("name").asText(), Chart.label(valuesFile))
                    .isEmpty();
        }
    }

    @Test
    void theFarmRendersEveryPartOfTheFarm() {
        List<String> types = Chart.render(Chart.DIR.resolve("ci/farm-values.yaml")).stream()
                .map(o -> StrictModels.typeOf(o) + " " + o.path("metadata").path("name").asText()).toList();

        assertThat(types).contains(
                "apps/v1/Deployment farm-imagefarm-hasher",
                "policy/v1/PodDisruptionBudget farm-imagefarm-hasher",
                "v1/Service farm-imagefarm-hasher",
                "networking.k8s.io/v1/Ingress farm-imagefarm-hasher",
                "apps/v1/Deployment farm-imagefarm-worker-amd64",
                "apps/v1/Deployment farm-imagefarm-worker-arm64",
                "keda.sh/v1alpha1/ScaledObject farm-imagefarm-worker-amd64",
                "keda.sh/v1alpha1/ScaledObject farm-imagefarm-worker-arm64",
                "keda.sh/v1alpha1/TriggerAuthentication farm-imagefarm-kafka",
                "apps/v1/Deployment farm-imagefarm-janitor",
                "networking.k8s.io/v1/NetworkPolicy farm-imagefarm-workers");
    }

    @Test
    void aClusterWithoutNativeSidecarsIsRefused() {
        assertThatThrownBy(() -> Chart.template(null, "v1.28.9")).hasMessageContaining("kubeVersion: >=1.29.0-0");
    }

    @Test
    void networkPoliciesAreOffByDefault() {
        assertThat(Chart.render(null)).extracting(StrictModels::typeOf).doesNotContain("networking.k8s.io/v1/NetworkPolicy");
    }
}
