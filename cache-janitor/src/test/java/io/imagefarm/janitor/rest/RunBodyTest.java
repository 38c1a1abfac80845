package io.imagefarm.janitor.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagefarm.edge.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** The runs API's body is read strictly: no coercion, no unknown fields, no nulls; every refusal names the field. */
class RunBodyTest {

    static RunBody parse(String json) {
        return RunBody.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(String json, String code, String field) {
        return assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.field()).isEqualTo(field);
                });
    }

    @Test
    void everyFieldIsOptionalAndAnEmptyBodyMeansTheDefaults() {
        assertThat(RunBody.parse(new byte[0])).isEqualTo(new RunBody(null, null, null));
        assertThat(parse("{}")).isEqualTo(new RunBody(null, null, null));
        assertThat(parse(" {\"dryRun\": false, \"force\": true, \"repositories\": [\"a\", \"b\"]}\n"))
                .isEqualTo(new RunBody(false, true, Set.of("a", "b")));
    }

    @Test
    void booleanFieldsTakeOnlyJsonBooleans() {
        refused("{\"dryRun\":\"yes\"}", "invalid-field", "dryRun")
                .hasMessage("\"dryRun\" must be true or false (a JSON boolean), not the string \"yes\"");
        refused("{\"dryRun\":\"true\"}", "invalid-field", "dryRun").hasMessageContaining("not the string \"true\"");
        refused("{\"dryRun\":1}", "invalid-field", "dryRun").hasMessageContaining("not the number 1");
        refused("{\"dryRun\":0.0}", "invalid-field", "dryRun").hasMessageContaining("not the number 0.0");
        refused("{\"dryRun\":\"\"}", "invalid-field", "dryRun").hasMessageContaining("not the string \"\"");
        refused("{\"force\":\"false\"}", "invalid-field", "force").hasMessageContaining("not the string \"false\"");
        refused("{\"force\":[true]}", "invalid-field", "force").hasMessageContaining("not an array");
    }

    @Test
    void repositoriesTakesOnlyAnArrayOfStrings() {
        refused("{\"repositories\":\"x\"}", "invalid-field", "repositories")
                .hasMessage("\"repositories\" must be an array of repository ids (JSON strings), not the string \"x\"");
        refused("{\"repositories\":\"\"}", "invalid-field", "repositories");
        refused("{\"repositories\":{\"a\":1}}", "invalid-field", "repositories").hasMessageContaining("not an object");
        refused("{\"repositories\":[\"a\",1]}", "invalid-field", "repositories[1]")
                .hasMessage("\"repositories[1]\" must be a repository id (a JSON string), not the number 1");
        refused("{\"repositories\":[true]}", "invalid-field", "repositories[0]").hasMessageContaining("not the boolean true");
        refused("{\"repositories\":[[\"a\"]]}", "invalid-field", "repositories[0]").hasMessageContaining("not an array");
    }

    @Test
    void nullIsRefusedForFieldsAndElementsRatherThanTakenAsTheDefault() {
        refused("{\"dryRun\":null}", "invalid-field", "dryRun").hasMessageContaining("not null (leave the field out for the default)");
        refused("{\"repositories\":null}", "invalid-field", "repositories");
        refused("{\"repositories\":[\"a\",null]}", "invalid-field", "repositories[1]");
        refused("null", "invalid-body", null).hasMessageContaining("send {} or no body for the defaults");
    }

    @Test
    void anUnknownFieldIsRefusedSoATypoCannotFallBackToTheDefault() {
        refused("{\"dryrun\":false}", "unknown-field", "dryrun")
                .hasMessage("unknown field \"dryrun\"; the body takes dryRun (boolean), force (boolean), repositories (array of repository ids)");
    }

    @Test
    void malformedJsonIsRefusedWithLineAndColumn() {
        refused("{\n  \"dryRun\": true,\n}", "malformed-json", null).hasMessageStartingWith("malformed JSON at line 3, column 1: ");
        refused("{\"dryRun\": tru}", "malformed-json", "dryRun").hasMessageStartingWith("malformed JSON at line 1, column 12 in \"dryRun\": Unrecognized token 'tru'");
        refused("{\"dryRun\":true", "malformed-json", null).hasMessageStartingWith("malformed JSON at line 1, column 15: Unexpected end-of-input")
                .hasMessageNotContaining("REDACTED");
        refused("{\"dryRun\":true,\"dryRun\":false}", "malformed-json", null).hasMessageContaining("Duplicate field 'dryRun'");
    }

    @Test
    void theBodyMustBeOneObject() {
        refused("[]", "invalid-body", null).hasMessageContaining("must be a JSON object").hasMessageContaining("not an array");
        refused("\"x\"", "invalid-body", null).hasMessageContaining("not the string \"x\"");
        refused("{} {}", "invalid-body", null).hasMessageContaining("nothing after it");
        refused("  ", "invalid-body", null).hasMessage("the body holds no JSON value");
    }
}
