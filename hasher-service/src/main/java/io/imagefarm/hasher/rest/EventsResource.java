package io.imagefarm.hasher.rest;

import io.imagefarm.core.event.ImageStatus;
import io.imagefarm.core.image.SourceRepository;
import io.imagefarm.hasher.rest.Access;
import io.imagefarm.edge.TooManyRequestsException;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.function.Predicate;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Live statuses as Server-Sent Events, for the dashboard and for CI tools; the API's read rules apply. */
@Path("/api/v1/events")
public class EventsResource {

    private final Access access;
    private final StatusStream stream;

    public EventsResource(Access access, StatusStream stream) {
        this.access = access;
        this.stream = stream;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every status change (one JSON ImageStatus per event), optionally of one repository only")
    public Multi<ImageStatus> events(@QueryParam("repository") String repository) {
        Predicate<String> readable;
        if (repository != null) {
            String wanted = SourceRepository.parse(repository).toString();
            access.requireRead(wanted);
            readable = wanted::equalsIgnoreCase;
        } else {
            access.requireReader();
            readable = access.readFilter();
        }
        return stream.listen(s -> s.repository() != null && readable.test(s.repository()))
                .orElseThrow(() -> new TooManyRequestsException("too-many-waiters", "too many event streams are open on this replica ("
                        + StatusStream.MAX_LISTENERS + "); retry shortly", 5));
    }
}
