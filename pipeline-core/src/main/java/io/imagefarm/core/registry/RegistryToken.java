package io.imagefarm.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagefarm.core.event.EventCodec;
import java.io.IOException;

/**
 * A token endpoint's answer to a Bearer challenge: {@code token} (Docker's) or {@code access_token}
 * (OAuth2's), and {@code expires_in} if it gave a whole number of seconds.
 */
public record RegistryToken(String value, Integer expiresInSeconds) {

    @Override
    public String toString() {
        return "RegistryToken[value=***, expiresInSeconds=" + expiresInSeconds + "]";
    }

    /** Parses the endpoint's body, which is untrusted JSON (bounded as every other). */
    public static RegistryToken parse(String realm, byte[] body) {
        JsonNode json;
        try {
            json = EventCodec.untrusted().readTree(body);
        } catch (IOException e) {
            throw new RegistryException("token endpoint " + realm + " answered malformed JSON", 502, null, e);
        }
        if (json == null || !json.isObject()) {
            throw new RegistryException("token endpoint " + realm + " answered malformed JSON", 502, null);
        }
        JsonNode token = json.hasNonNull("token") ? json.get("token") : json.get("access_token");
        if (token == null || !token.isTextual() || token.asText().isEmpty()) {
            throw new RegistryException("token endpoint " + realm + " answered without a token", 401, "UNAUTHORIZED");
        }
        JsonNode expires = json.get("expires_in");
        Integer seconds = expires != null && expires.canConvertToInt() && expires.isIntegralNumber() && expires.asInt() > 0
                ? expires.asInt() : null;
        return new RegistryToken(token.asText(), seconds);
    }
}
