package ai.appliance.runtime.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.RoutingHints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refusals name the field and what it must be, in the client's terms, never the parser's. */
class OpenAiRequestsTest {

    private final OpenAiRequests requests = new OpenAiRequests(new ObjectMapper(), 512, 8192);

    private ApiException refusal(String body) {
        return assertThrows(ApiException.class,
                () -> requests.parse(body.getBytes(StandardCharsets.UTF_8), InferenceRequest.Kind.CHAT));
    }

    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    private static void assertNoLibraryInternals(String message) {
        for (var internal : List.of("Jackson", "Feature", "StreamReadConstraints", "Source", "REDACTED", "code 1",
                "Exception", "For input string", "java.")) {
            assertFalse(message.contains(internal), "leaks '" + internal + "': " + message);
        }
    }

    @Test
    void malformedJsonSaysWhereItBroke() {
        var e = refusal("{\"messages\": [}");
        assertEquals("the request body is not valid JSON (line 1, column 15): check the quotes, commas, brackets and"
                + " braces there (JSON has no comments, NaN or trailing commas)", e.getMessage());
        assertNoLibraryInternals(e.getMessage());
    }

    @Test
    void aBodyCutShortSaysSo() {
        var e = refusal("{\"messages\": [{\"role\":\"user\"");
        assertEquals("the request body ends before the JSON is complete (line 1, column 29): a closing quote, bracket"
                + " or brace is missing", e.getMessage());
    }

    @Test
    void nonStandardNumbersAreRefusedWithoutNamingParserOptions() {
        assertNoLibraryInternals(refusal("{" + MESSAGES + ",\"temperature\": NaN}").getMessage());
    }

    @Test
    void aThousandDigitNumberIsRefusedWithoutNamingParserLimits() {
        var e = refusal("{" + MESSAGES + ",\"max_tokens\": " + "9".repeat(2000) + "}");
        assertEquals(null, e.param());
        assertEquals("the request body holds a number, string or nesting larger than this server accepts"
               , e.getMessage());
        assertNoLibraryInternals(e.getMessage());
    }

    @Test
    void wrongTypesAndHugeValuesNameTheFieldAndItsRange() {
        for (var value : List.of("\"64\"", "1.5", "99999999999999999999999", "-3", "1e400", "true")) {
            var e = refusal("{" + MESSAGES + ",\"max_tokens\": " + value + "}");
            assertEquals("max_tokens", e.param());
            assertEquals("max_tokens must be a whole number from 1 to 8192", e.getMessage(), value);
        }
        for (var value : List.of("\"hot\"", "1e400", "-1e400", "3")) {
            var e = refusal("{" + MESSAGES + ",\"temperature\": " + value + "}");
            assertEquals("temperature", e.param());
            assertEquals("temperature must be a number from 0 to 2", e.getMessage(), value);
        }
        var seed = refusal("{" + MESSAGES + ",\"seed\": 123456789012345678901234567890}");
        assertEquals("seed", seed.param());
        assertNoLibraryInternals(seed.getMessage());
    }

    @Test
    void routingExtensionFieldsAreReadAndDefaultToLeavingTheBoxWithFallback() {
        var plain = requests.parse(("{" + MESSAGES + "}").getBytes(StandardCharsets.UTF_8), InferenceRequest.Kind.CHAT);
        assertEquals(RoutingHints.DEFAULT, plain.routing());
        var local = requests.parse(("{" + MESSAGES + ",\"local_only\":true,\"allow_fallback\":false}")
                .getBytes(StandardCharsets.UTF_8), InferenceRequest.Kind.CHAT);
        assertEquals(new RoutingHints(true, false), local.routing());
        assertEquals("local_only", refusal("{" + MESSAGES + ",\"local_only\":\"yes\"}").param());
        assertEquals("allow_fallback", refusal("{" + MESSAGES + ",\"allow_fallback\":1}").param());
    }
}
