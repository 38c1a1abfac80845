package io.imagefarm.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets reach the services as files, read by core.secret.Secrets through their *_FILE keys: never as
 * an env value, never through an env secretKeyRef (which `kubectl describe` and crash dumps show).
 */
class SecretsAsFilesTest {

    static Stream<Path> valuesSets() {
        return Chart.valuesSets();
    }

    /** Every secret value the values set holds. */
    private static List<String> secretValues(Path valuesFile) {
        JsonNode v = Chart.values(valuesFile);
        List<String> out = new ArrayList<>();
        for (String key : List.of("webhookSecret", "registryPassword", "githubToken")) {
            out.add(v.path("secrets").path(key).asText());
        }
        out.add(v.path("kafka").path("sasl").path("password").asText());
        out.add(v.path("signing").path("privateKeyPem").asText());
        v.path("apiTokens").forEach(t -> out.add(t.path("sha256").asText()));
        return out.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Stream<Deployment> deployments(Rendered r) {
        return r.all(Deployment.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void noSecretIsAnEnvValueOrAnEnvSecretRef(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);
        List<String> secrets = secretValues(valuesFile);
        if (valuesFile != null && valuesFile.endsWith("farm-values.yaml")) {
            assertThat(secrets).as("the farm's values hold secrets to look for").hasSizeGreaterThanOrEqualTo(6);
        }

        deployments(r).forEach(d -> Rendered.containers(d.getSpec().getTemplate().getSpec()).forEach(c -> {
            assertThat(c.getEnvFrom()).as("%s/%s envFrom", d.getMetadata().getName(), c.getName()).isEmpty();
            for (EnvVar e : c.getEnv()) {
                String where = d.getMetadata().getName() + "/" + c.getName() + " env " + e.getName();
                if (e.getValue() != null) {
                    assertThat(secrets).as(where).noneMatch(s -> e.getValue().contains(s));
                }
                if (e.getValueFrom() != null) {
                    assertThat(e.getValueFrom().getSecretKeyRef()).as(where).isNull();
                }
            }
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void everyFileKeyPointsIntoAMountedSecretThatOthersCannotRead(Path valuesFile) {
        Rendered r = Rendered.of(valuesFile);
        int fileKeys = 0;
        for (Deployment d : deployments(r).toList()) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            for (Container c : Rendered.containers(pod).toList()) {
                for (EnvVar e : c.getEnv()) {
                    if (!e.getName().endsWith("_FILE")) {
                        continue;
                    }
                    fileKeys++;
                    String where = d.getMetadata().getName() + "/" + c.getName() + " " + e.getName() + "=" + e.getValue();
                    Path file = Path.of(e.getValue());
                    VolumeMount mount = c.getVolumeMounts().stream().filter(m -> file.getParent().equals(Path.of(m.getMountPath())))
                            .findFirst().orElseThrow(() -> new AssertionError(where + ": no volume is mounted at its folder"));
                    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
                    assertThat(volume.getSecret()).as(where + ": a Secret volume").isNotNull();
                    assertThat(mount.getReadOnly()).as(where).isTrue();
                    assertThat(volume.getSecret().getDefaultMode() & 0007).as(where + ": mode for others").isZero();
                    String key = file.getFileName().toString();
                    if (!volume.getSecret().getItems().isEmpty()) {
                        assertThat(volume.getSecret().getItems()).as(where).anyMatch(i -> i.getPath().equals(key));
                    }
                    created(r, volume.getSecret().getSecretName()).ifPresent(secret ->
                            assertThat(secret.getData()).as(where + ": a key of the chart's Secret " + secret.getMetadata().getName())
                                    .containsKey(key));
                }
            }
        }
        assertThat(fileKeys).as("the services' *_FILE keys").isGreaterThanOrEqualTo(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesSets")
    void kafkasSaslPasswordIsReadFromItsFileByKafkasOwnConfigProvider(Path valuesFile) {
        JsonNode kafka = Chart.values(valuesFile).path("kafka");
        Rendered r = Rendered.of(valuesFile);

        deployments(r).forEach(d -> Rendered.containers(d.getSpec().getTemplate().getSpec())
                .filter(c -> Rendered.env(c, "KAFKA_BOOTSTRAP_SERVERS").isPresent()).forEach(c -> {
                    Optional<String> jaas = Rendered.env(c, "KAFKA_SASL_JAAS_CONFIG");
                    if (kafka.path("sasl").path("mechanism").asText().isEmpty()) {
                        assertThat(jaas).isEmpty();
                        return;
                    }
                    // $${ is SmallRye Config's escape: the Kafka client gets ${dir:...} and reads the file.
                    assertThat(jaas.orElseThrow()).contains("password=\"$${dir:/etc/imagefarm/kafka-sasl:password}\"");
                    assertThat(Rendered.env(c, "KAFKA_CONFIG_PROVIDERS_DIR_CLASS"))
                            .contains("org.apache.kafka.common.config.provider.DirectoryConfigProvider");
                    assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/imagefarm/kafka-sasl"));
                }));
    }

    private static Optional<Secret> created(Rendered r, String name) {
        return r.all(Secret.class).filter(s -> s.getMetadata().getName().equals(name)).findFirst();
    }

}
