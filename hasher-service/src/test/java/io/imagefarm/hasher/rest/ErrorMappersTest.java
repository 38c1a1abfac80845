package io.imagefarm.hasher.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.hash.InvalidRepositoryFilesException;
import io.imagefarm.core.image.InvalidReferenceException;
import io.imagefarm.core.registry.RegistryException;
import io.imagefarm.edge.ApiError;
import io.imagefarm.hasher.resolve.PublishFailedException;
import io.imagefarm.hasher.service.RepositoryNotAllowedException;
import io.imagefarm.hasher.source.InvalidSourceUrlException;
import io.imagefarm.hasher.source.SourceNotFoundException;
import io.imagefarm.hasher.source.SourceUnavailableException;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.junit.jupiter.api.Test;

/**
 * Every mapper of the hasher's domain errors answers with the edge's {@link ApiError} (a code and a
 * message) and the status its docs give; the edge's own mappers are walked by the edge's test. A new
 * mapper without a sample here fails the walk.
 */
class ErrorMappersTest {

    final ErrorMappers mappers = new ErrorMappers();

    record Expected(Throwable sample, int status, String code) {
    }

    final Map<String, Expected> samples = Map.of(
            "invalidFiles", new Expected(new InvalidRepositoryFilesException("rust-toolchain.toml", "has no [toolchain]"), 422,
                    "invalid-repository-files"),
            "invalidReference", new Expected(new InvalidReferenceException("invalid repository 'a b'"), 400, "invalid-repository"),
            "notAllowed", new Expected(new RepositoryNotAllowedException("evil/x"), 403, "repository-not-allowed"),
            "notFound", new Expected(new SourceNotFoundException(SourceNotFoundException.What.COMMIT, "no commit abc"), 404,
                    "commit-not-found"),
            "sourceUnavailable", new Expected(new SourceUnavailableException("the git remote did not answer", null), 503,
                    "source-unavailable"),
            "registry", new Expected(new RegistryException("registry 127.0.0.1:5000 did not answer", 503, null), 503,
                    "registry-unavailable"),
            "kafka", new Expected(new PublishFailedException("Kafka did not commit", null), 503, "kafka-unavailable"),
            "invalidCommit", new Expected(new io.imagefarm.hasher.resolve.InvalidCommitException("invalid commit 'x'"), 400,
                    "invalid-commit"),
            "invalidSourceUrl", new Expected(new InvalidSourceUrlException("sourceUrl 'x' has no scheme"), 400, "invalid-source-url"));

    @Test
    void everyDomainMapperAnswersItsStatusWithACodeAndAMessage() throws Exception {
        List<String> walked = new ArrayList<>();
        for (Method m : ErrorMappers.class.getDeclaredMethods()) {
            if (!m.isAnnotationPresent(ServerExceptionMapper.class)) {
                continue;
            }
            Expected expected = samples.get(m.getName());
            assertThat(expected).as("a sample exception for mapper " + m.getName()).isNotNull();
            Response r = (Response) m.invoke(mappers, expected.sample());
            assertThat(r.getStatus()).as(m.getName()).isEqualTo(expected.status());
            ApiError body = (ApiError) r.getEntity();
            assertThat(body.error()).as(m.getName()).isEqualTo(expected.code());
            assertThat(body.message()).as(m.getName()).isNotBlank();
            walked.add(m.getName());
        }
        assertThat(walked).containsExactlyInAnyOrderElementsOf(samples.keySet());
    }
}
