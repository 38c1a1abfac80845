package io.imagefarm.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The edge's strict body reading, as a service with optional fields uses it (null as absent); the janitor's
 * RunBodyTest covers the null-refusing reader field by field.
 */
class JsonBodiesTest {

    record Body(String repository, String sourceUrl, Map<String, String> files) {
    }

    static final JsonBodies.Reader<Body> READER = JsonBodies.reader(Body.class, "repository, sourceUrl, files",
            JsonBodies.Nullness.NULL_IS_ABSENT, null);

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBodyWithItsFieldsIsReadAndNullMeansAbsent() {
        Body b = READER.read(json("{\"repository\":\"acme/widget\",\"sourceUrl\":null,\"files\":{\"a\":\"b\"}}"));
        assertThat(b).isEqualTo(new Body("acme/widget", null, Map.of("a", "b")));
    }

    @Test
    void aMisspeltFieldIsRefusedNotIgnored() {
        assertThatThrownBy(() -> READER.read(json("{\"repository\":\"acme/widget\",\"sourceURL\":\"https://x\"}")))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("unknown-field");
                    assertThat(e.field()).isEqualTo("sourceURL");
                })
                .hasMessageContaining("the body takes repository, sourceUrl, files");
    }

    @Test
    void aValueOfAnotherJsonTypeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> READER.read(json("{\"repository\":7}")))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.field()).isEqualTo("repository"))
                .hasMessage("\"repository\" must be a JSON string, not the number 7");
        assertThatThrownBy(() -> READER.read(json("{\"files\":{\"a\":true}}")))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.field()).isEqualTo("files.a"));
    }

    @Test
    void anEmptyOrNullOrMalformedBodyIsRefused() {
        assertThatThrownBy(() -> READER.read(new byte[0])).isInstanceOfSatisfying(BadRequestException.class,
                e -> assertThat(e.code()).isEqualTo("invalid-body"));
        assertThatThrownBy(() -> READER.read(json("null"))).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> READER.read(json("{\"repository\": ")))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.code()).isEqualTo("malformed-json"))
                .hasMessageStartingWith("malformed JSON at line 1");
    }

    @Test
    void nestingBeyondTheBoundIsRefusedNotAStackOverflow() {
        String deep = "{\"files\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertThatThrownBy(() -> READER.read(json(deep))).isInstanceOf(BadRequestException.class);
    }
}
