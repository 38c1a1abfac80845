package io.imagefarm.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The strict checks fail where they must: each a rendered object with one thing wrong. */
class StrictParsingTest {

    private static ObjectNode rendered(String type, String name) {
        return Chart.render(Chart.DIR.resolve("ci/farm-values.yaml")).stream()
                .filter(o -> StrictModels.typeOf(o).equals(type) && o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow();
    }

    private static ObjectNode workerContainer(ObjectNode deployment) {
        return (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void anUnknownFieldDeepInADeploymentFails() {
        ObjectNode deployment = rendered("apps/v1/Deployment", "farm-imagefarm-worker-amd64");
        assertThatCode(() -> StrictModels.parse(deployment)).doesNotThrowAnyException();

        workerContainer(deployment).put("imagePullPolicyy", "Always");

        assertThatThrownBy(() -> StrictModels.parse(deployment)).hasMessageContaining("imagePullPolicyy");
    }

    @Test
    void fabric8AloneWouldKeepAnUnknownFieldAsAnAdditionalProperty() {
        ObjectNode deployment = rendered("apps/v1/Deployment", "farm-imagefarm-worker-amd64");
        workerContainer(deployment).put("imagePullPolicyy", "Always");
        JsonMapper failOnUnknownOnly = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

        Deployment lenient = failOnUnknownOnly.readValue(deployment.toString(), Deployment.class);

        assertThat(lenient.getSpec().getTemplate().getSpec().getContainers().get(0).getAdditionalProperties())
                .containsKey("imagePullPolicyy");
    }

    @Test
    void aStringWhereTheModelHasANumberFails() {
        ObjectNode deployment = rendered("apps/v1/Deployment", "farm-imagefarm-hasher");
        ((ObjectNode) deployment.path("spec")).put("replicas", "2");

        assertThatThrownBy(() -> StrictModels.parse(deployment)).hasMessageContaining("replicas");
    }

    @Test
    void kedaRefusesAnUnknownSpecFieldANumericTriggerValueAndAStringReplicaCount() {
        ObjectNode scaled = rendered("keda.sh/v1alpha1/ScaledObject", "farm-imagefarm-worker-arm64");
        assertThat(KedaSchema.violations(scaled)).isEmpty();

        ObjectNode spec = (ObjectNode) scaled.path("spec");
        spec.put("maxReplicas", 3);
        spec.put("minReplicaCount", "1");
        ObjectNode trigger = (ObjectNode) ((ArrayNode) spec.path("triggers")).get(0);
        ((ObjectNode) trigger.path("metadata")).put("lagThreshold", 2);
        ((ObjectNode) trigger.path("metadata")).put("lagTreshold", "2");

        List<String> violations = KedaSchema.violations(scaled);
        assertThat(violations).anyMatch(v -> v.contains(".spec.maxReplicas is not a field"))
                .anyMatch(v -> v.contains(".spec.minReplicaCount must be an integer"))
                .anyMatch(v -> v.contains(".metadata.lagThreshold must be a string"))
                .anyMatch(v -> v.contains(".metadata.lagTreshold is not a Kafka scaler parameter"));
    }

    @Test
    void kedaRefusesATriggerAuthenticationRefWithoutItsKey() {
        ObjectNode auth = rendered("keda.sh/v1alpha1/TriggerAuthentication", "farm-imagefarm-kafka");
        assertThat(KedaSchema.violations(auth)).isEmpty();

        ((ObjectNode) auth.path("spec").path("secretTargetRef").get(0)).remove("key");

        assertThat(KedaSchema.violations(auth)).containsExactly(".spec.secretTargetRef[0].key is required");
    }
}
