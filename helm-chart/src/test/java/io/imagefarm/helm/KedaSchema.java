package io.imagefarm.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What KEDA's CRD schemas (keda.sh/v1alpha1, controller-gen v0.20.1 output) demand of the ScaledObject
 * and TriggerAuthentication fields the chart can set, encoded here because no fabric8 model exists and a
 * user's clone has no copy of the CRDs: the fields each object may have (the CRD's structural schema
 * prunes others, and kubectl's strict field validation refuses them), the required ones, and the types
 * (integers for replica counts and periods, a string for every trigger metadata value). README
 * "Deployment on Kubernetes" says how these sets were checked against the CRDs.
 */
final class KedaSchema {

    static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec");

    static final Set<String> SCALED_OBJECT_SPEC = Set.of("advanced", "cooldownPeriod", "fallback", "idleReplicaCount",
            "initialCooldownPeriod", "maxReplicaCount", "minReplicaCount", "pollingInterval", "scaleTargetRef", "triggers");
    static final Set<String> SCALED_OBJECT_SPEC_REQUIRED = Set.of("scaleTargetRef", "triggers");
    /** int32 in the CRD. */
    static final Set<String> SCALED_OBJECT_SPEC_INTEGERS = Set.of("cooldownPeriod", "idleReplicaCount",
            "initialCooldownPeriod", "maxReplicaCount", "minReplicaCount", "pollingInterval");
    static final Set<String> SCALE_TARGET_REF = Set.of("apiVersion", "envSourceContainerName", "kind", "name");
    static final Set<String> ADVANCED = Set.of("horizontalPodAutoscalerConfig", "restoreToOriginalReplicaCount", "scalingModifiers");
    static final Set<String> HPA_CONFIG = Set.of("behavior", "name");
    static final Set<String> TRIGGER = Set.of("authenticationRef", "metadata", "metricType", "name", "type", "useCachedMetrics");
    static final Set<String> TRIGGER_REQUIRED = Set.of("metadata", "type");
    static final Set<String> AUTHENTICATION_REF = Set.of("kind", "name");
    static final Set<String> AUTHENTICATION_REF_KINDS = Set.of("TriggerAuthentication", "ClusterTriggerAuthentication");

    /**
     * The Kafka scaler's metadata keys (KEDA's scaler documentation, not the CRD: the CRD takes any
     * string map, and the scaler ignores a misspelt key silently, so the chart's keys are held to these).
     */
    static final Set<String> KAFKA_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold",
            "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
            "excludePersistentLag", "limitToPartitionsWithLag", "partitionLimitation", "version", "sasl", "tls",
            "unsafeSsl");

    static final Set<String> TRIGGER_AUTHENTICATION_SPEC = Set.of("awsSecretManager", "azureKeyVault",
            "boundServiceAccountToken", "configMapTargetRef", "env", "filePath", "gcpSecretManager", "hashiCorpVault",
            "oauth2", "podIdentity", "secretTargetRef");
    static final Set<String> SECRET_TARGET_REF = Set.of("key", "name", "parameter");

    private KedaSchema() {
    }

    /** Everything in {@code doc} that KEDA's CRDs would refuse; empty when it conforms. */
    static List<String> violations(JsonNode doc) {
        List<String> out = new ArrayList<>();
        String type = StrictModels.typeOf(doc);
        fields(doc, "", OBJECT_FIELDS, Set.of("apiVersion", "kind", "metadata", "spec"), out);
        try {
            StrictModels.parse(doc.path("metadata"), ObjectMeta.class);
        } catch (RuntimeException e) {
            out.add(".metadata: " + e.getMessage());
        }
        if (type.equals(StrictModels.SCALED_OBJECT)) {
            scaledObject(doc.path("spec"), out);
        } else if (type.equals(StrictModels.TRIGGER_AUTHENTICATION)) {
            triggerAuthentication(doc.path("spec"), out);
        } else {
            out.add("not a KEDA kind the chart renders: " + type);
        }
        return out;
    }

    private static void scaledObject(JsonNode spec, List<String> out) {
        fields(spec, ".spec", SCALED_OBJECT_SPEC, SCALED_OBJECT_SPEC_REQUIRED, out);
        for (String f : SCALED_OBJECT_SPEC_INTEGERS) {
            if (spec.has(f) && !int32(spec.get(f))) {
                out.add(".spec." + f + " must be an integer (int32), not " + spec.get(f).getNodeType() + " " + spec.get(f));
            }
        }
        JsonNode target = spec.path("scaleTargetRef");
        fields(target, ".spec.scaleTargetRef", SCALE_TARGET_REF, Set.of("name"), out);
        strings(target, ".spec.scaleTargetRef", out);
        if (spec.has("advanced")) {
            JsonNode advanced = spec.get("advanced");
            fields(advanced, ".spec.advanced", ADVANCED, Set.of(), out);
            JsonNode hpa = advanced.path("horizontalPodAutoscalerConfig");
            if (!hpa.isMissingNode()) {
                fields(hpa, ".spec.advanced.horizontalPodAutoscalerConfig", HPA_CONFIG, Set.of(), out);
                if (hpa.has("behavior")) {
                    try {
                        StrictModels.parse(hpa.get("behavior"), HorizontalPodAutoscalerBehavior.class);
                    } catch (RuntimeException e) {
                        out.add(".spec.advanced.horizontalPodAutoscalerConfig.behavior: " + e.getMessage());
                    }
                }
            }
        }
        JsonNode triggers = spec.path("triggers");
        if (!triggers.isArray() || triggers.isEmpty()) {
            out.add(".spec.triggers must be a non-empty array");
            return;
        }
        for (int i = 0; i < triggers.size(); i++) {
            JsonNode t = triggers.get(i);
            String at = ".spec.triggers[" + i + "]";
            fields(t, at, TRIGGER, TRIGGER_REQUIRED, out);
            if (t.has("authenticationRef")) {
                JsonNode ref = t.get("authenticationRef");
                fields(ref, at + ".authenticationRef", AUTHENTICATION_REF, Set.of("name"), out);
                strings(ref, at + ".authenticationRef", out);
                if (ref.has("kind") && !AUTHENTICATION_REF_KINDS.contains(ref.get("kind").asText())) {
                    out.add(at + ".authenticationRef.kind must be one of " + AUTHENTICATION_REF_KINDS);
                }
            }
            JsonNode metadata = t.path("metadata");
            if (!metadata.isObject()) {
                out.add(at + ".metadata must be an object");
                continue;
            }
            for (Map.Entry<String, JsonNode> m : metadata.properties()) {
                if (!m.getValue().isTextual()) {
                    out.add(at + ".metadata." + m.getKey() + " must be a string, not " + m.getValue().getNodeType()
                            + " " + m.getValue());
                }
            }
            if ("kafka".equals(t.path("type").asText())) {
                for (String key : iterable(metadata.fieldNames())) {
                    if (!KAFKA_METADATA.contains(key)) {
                        out.add(at + ".metadata." + key + " is not a Kafka scaler parameter");
                    }
                }
            }
        }
    }

    private static void triggerAuthentication(JsonNode spec, List<String> out) {
        fields(spec, ".spec", TRIGGER_AUTHENTICATION_SPEC, Set.of(), out);
        JsonNode refs = spec.path("secretTargetRef");
        for (int i = 0; i < refs.size(); i++) {
            fields(refs.get(i), ".spec.secretTargetRef[" + i + "]", SECRET_TARGET_REF, SECRET_TARGET_REF, out);
            strings(refs.get(i), ".spec.secretTargetRef[" + i + "]", out);
        }
    }

    private static void fields(JsonNode node, String at, Set<String> allowed, Set<String> required, List<String> out) {
        if (!node.isObject()) {
            out.add(at + " must be an object");
            return;
        }
        for (String name : iterable(node.fieldNames())) {
            if (!allowed.contains(name)) {
                out.add(at + "." + name + " is not a field of the CRD");
            }
        }
        for (String name : required) {
            if (!node.has(name)) {
                out.add(at + "." + name + " is required");
            }
        }
    }

    private static void strings(JsonNode node, String at, List<String> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                out.add(at + "." + e.getKey() + " must be a string");
            }
        }
    }

    private static boolean int32(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToInt();
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}
