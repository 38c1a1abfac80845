package io.imagefarm.hasher.rest;

import io.imagefarm.core.event.EventCodec;
import io.imagefarm.hasher.service.RepositoryNotAllowedException;
import io.imagefarm.hasher.webhook.DeliveryLog;
import io.imagefarm.hasher.webhook.WebhookSignature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.resolve.Resolution;
import io.imagefarm.hasher.service.ResolveService;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * GitHub's webhook endpoint. Signature first (401, nothing published), then event type, redelivery,
 * allow-list; a push is resolved synchronously (fetch five files, HEAD the registry, publish): that is
 * quick, and it lets bad repository files answer a 4xx that GitHub shows in its delivery log. The answer
 * comes once the build requests are durable on the requests topic, not after their decision: GitHub reads
 * only the status code, and a durable request is decided even if this replica dies. Nothing is ever built
 * or waited for inline.
 */
@Path("/webhooks/github")
public class GithubWebhookResource {

    // The payload is the sender's: read with the bounded mapper.
    private static final ObjectMapper JSON = EventCodec.untrusted();
    private static final String NULL_SHA = "0".repeat(40);

    private final WebhookSignature signature;
    private final DeliveryLog deliveries;
    private final ResolveService service;
    private final MeterRegistry metrics;

    public GithubWebhookResource(WebhookSignature signature, DeliveryLog deliveries, ResolveService service, MeterRegistry metrics) {
        this.signature = signature;
        this.deliveries = deliveries;
        this.service = service;
        this.metrics = metrics;
    }

    @POST
    @Operation(summary = "GitHub webhook (push and ping), signed with X-Hub-Signature-256")
    public Response receive(@HeaderParam("X-GitHub-Event") String event,
                            @HeaderParam("X-Hub-Signature-256") String signatureHeader,
                            @HeaderParam("X-GitHub-Delivery") String delivery,
                            byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        if (!signature.verify(raw, signatureHeader)) {
            return answer(401, "unauthorized", Map.of("error", "invalid-signature",
                    "message", signatureHeader == null ? "X-Hub-Signature-256 is missing" : "X-Hub-Signature-256 does not match the body"));
        }
        if ("ping".equals(event)) {
            return answer(200, "ping", Map.of("status", "pong"));
        }
        if (!"push".equals(event)) {
            return answer(202, "ignored", Map.of("status", "ignored", "event", String.valueOf(event)));
        }
        if (deliveries.seen(delivery)) {
            return answer(200, "redelivery", Map.of("status", "duplicate-delivery", "delivery", delivery));
        }
        JsonNode push;
        try {
            push = JSON.readTree(raw);
        } catch (IOException e) {
            return answer(400, "malformed", Map.of("error", "malformed-json", "message", "push payload is not JSON: " + e.getMessage()));
        }
        String fullName = push.path("repository").path("full_name").asText(null);
        String after = push.path("after").asText(null);
        if (fullName == null || after == null) {
            return answer(400, "malformed", Map.of("error", "malformed-push", "message", "push payload lacks repository.full_name or after"));
        }
        if (push.path("deleted").asBoolean(false) || NULL_SHA.equals(after)) {
            return answer(202, "ignored", Map.of("status", "ignored", "reason", "branch or tag deleted"));
        }
        SourceRepository repository = SourceRepository.parse(fullName);
        String cloneUrl = push.path("repository").path("clone_url").asText(null);
        Resolution resolution;
        try {
            resolution = service.resolveFromWebhook(repository, after, cloneUrl);
        } catch (RepositoryNotAllowedException e) {
            count("forbidden");
            throw e;
        } catch (RuntimeException e) {
            count("failed");
            throw e;
        }
        deliveries.remember(delivery);
        return answer(200, "processed", resolution);
    }

    private Response answer(int status, String outcome, Object body) {
        count(outcome);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private void count(String outcome) {
        metrics.counter("imagefarm.hasher.webhooks", "outcome", outcome).increment();
    }
}
