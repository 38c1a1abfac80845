package io.imagefarm.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses rendered objects into their fabric8 Kubernetes models so that what the API server would
 * reject fails here: an unknown field anywhere, or a string where a number belongs.
 *
 * <p>FAIL_ON_UNKNOWN_PROPERTIES alone proves nothing with these models: every class has a
 * {@code @JsonAnySetter} that files unknown fields under {@code additionalProperties}. The introspector
 * here tells Jackson no class has one, so an unknown field fails like in any other strict model.
 */
final class StrictModels {

    /** The kinds the chart renders, by apiVersion and kind; anything else is a chart error here. */
    static final Map<String, Class<? extends HasMetadata>> MODELS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/Secret", Secret.class,
            "v1/ConfigMap", ConfigMap.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    /** The KEDA kinds the chart renders; they have no fabric8 model (KedaSchema checks them). */
    static final String SCALED_OBJECT = "keda.sh/v1alpha1/ScaledObject";
    static final String TRIGGER_AUTHENTICATION = "keda.sh/v1alpha1/TriggerAuthentication";

    static final JsonMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private StrictModels() {
    }

    static String typeOf(JsonNode doc) {
        return doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    }

    /** The object in its model; throws (naming the field) on anything the model does not have. */
    static HasMetadata parse(JsonNode doc) {
        Class<? extends HasMetadata> model = MODELS.get(typeOf(doc));
        if (model == null) {
            throw new IllegalArgumentException("no model for " + typeOf(doc));
        }
        return parse(doc, model);
    }

    static <T> T parse(JsonNode doc, Class<T> model) {
        return STRICT.readValue(doc.toString(), model);
    }
}
