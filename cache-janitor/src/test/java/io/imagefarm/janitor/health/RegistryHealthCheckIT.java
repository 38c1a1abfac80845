package io.imagefarm.janitor.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.image.Repository;
import io.imagefarm.janitor.backend.RepositoryTarget;
import io.imagefarm.janitor.config.TestPolicies;
import io.imagefarm.janitor.it.JanitorTestResources;
import io.imagefarm.registry.RegistryClient;
import io.imagefarm.testsupport.KafkaResource;
import io.imagefarm.testsupport.LocalRegistry;
import io.imagefarm.testsupport.RegistryResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The DOWN side of readiness, with the service's own registry client (HealthEndpointIT has the UP side). */
@QuarkusTest
@QuarkusTestResource(value = KafkaResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = RegistryResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = JanitorTestResources.class, restrictToAnnotatedClass = false)
class RegistryHealthCheckIT {

    @Inject
    RegistryClient client;

    @Test
    void aRegistryThatDoesNotAnswerMakesTheJanitorNotReadyAndIsNamed() throws IOException {
        String gone = "127.0.0.1:" + LocalRegistry.freePort();
        RepositoryTarget target = new RepositoryTarget("w", Repository.of(gone, "acme/widget"),
                RepositoryTarget.BackendKind.OCI, TestPolicies.defaults().build(), RepositoryTarget.OwnerType.ORG);

        HealthCheckResponse response = new RegistryHealthCheck(client, List.of(target, target)).call();

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).contains(Map.of(gone, "DOWN"));
    }
}
