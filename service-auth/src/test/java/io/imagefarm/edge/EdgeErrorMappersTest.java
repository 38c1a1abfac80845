package io.imagefarm.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagefarm.core.auth.AccessDeniedException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.junit.jupiter.api.Test;

/**
 * Every mapper of the edge answers with an {@link ApiError} (a code and a message), and none lets an
 * internal exception's message through where the caller is not to see it. The walk covers every
 * {@code @ServerExceptionMapper} method: a new one without a sample here fails the test.
 */
class EdgeErrorMappersTest {

    static final String INTERNAL = "PLANTED-INTERNAL-DETAIL";

    final EdgeErrorMappers mappers = new EdgeErrorMappers();

    /** One exception per mapper, by mapper method name. */
    final Map<String, Throwable> samples = Map.of(
            "api", new ApiException(409, "run-in-progress", "a janitor run is already in progress"),
            "unauthorized", new AuthenticationFailedException("signature of " + INTERNAL + " does not verify"),
            "accessDenied", new AccessDeniedException("this token may not resolve acme/widget"),
            "forbidden", new ForbiddenException(INTERNAL),
            "http", new NotFoundException(INTERNAL),
            "unexpected", new IllegalStateException(INTERNAL));

    @Test
    void everyMapperAnswersWithACodeAndAMessageAndLeaksNoInternalDetail() throws Exception {
        List<String> walked = new ArrayList<>();
        for (Method m : EdgeErrorMappers.class.getDeclaredMethods()) {
            if (!m.isAnnotationPresent(ServerExceptionMapper.class)) {
                continue;
            }
            Throwable sample = samples.get(m.getName());
            assertThat(sample).as("a sample exception for mapper " + m.getName()).isNotNull();
            Response r = (Response) m.invoke(mappers, sample);
            assertThat(r.getStatus()).as(m.getName()).isBetween(400, 599);
            assertThat(r.getEntity()).as(m.getName()).isInstanceOf(ApiError.class);
            ApiError body = (ApiError) r.getEntity();
            assertThat(body.error()).as(m.getName()).isNotBlank();
            assertThat(body.message()).as(m.getName()).isNotBlank().doesNotContain(INTERNAL);
            walked.add(m.getName());
        }
        assertThat(walked).containsExactlyInAnyOrderElementsOf(samples.keySet());
    }

    @Test
    void aServiceErrorKeepsItsStatusCodeFieldAndRetryAfter() {
        Response bad = mappers.api(new BadRequestException("invalid-field", "dryRun", "\"dryRun\" must be true or false"));
        assertThat(bad.getStatus()).isEqualTo(400);
        assertThat((ApiError) bad.getEntity()).isEqualTo(new ApiError("invalid-field", "\"dryRun\" must be true or false", "dryRun", null));
        Response busy = mappers.api(new TooManyRequestsException("too-many-waiters", "retry shortly", 5));
        assertThat(busy.getStatus()).isEqualTo(429);
        assertThat(busy.getHeaderString("Retry-After")).isEqualTo("5");
    }

    @Test
    void aMissingCredentialIsA401WithTheBearerChallengeAndAFixedMessage() {
        Response r = mappers.unauthorized(new UnauthorizedException("a credential is required"));
        assertThat(r.getStatus()).isEqualTo(401);
        assertThat(r.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(((ApiError) r.getEntity()).error()).isEqualTo("unauthorized");
    }

    @Test
    void theHttpLayersRefusalsKeepTheirStatusAndAnUnforeseenFailureIsA500() {
        Response notAllowed = mappers.http(new NotAllowedException("GET"));
        assertThat(notAllowed.getStatus()).isEqualTo(405);
        assertThat(((ApiError) notAllowed.getEntity()).error()).isEqualTo("method-not-allowed");
        Response oops = mappers.unexpected(new NullPointerException(INTERNAL));
        assertThat(oops.getStatus()).isEqualTo(500);
        assertThat(((ApiError) oops.getEntity()).error()).isEqualTo("internal-error");
    }
}
