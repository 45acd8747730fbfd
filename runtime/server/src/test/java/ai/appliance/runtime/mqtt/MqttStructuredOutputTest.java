package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.server.Harness;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Structured output and tool calls through the MQTT gateway (embedded broker, an MQTT 3.1.1 device). */
class MqttStructuredOutputTest {
    private static final String ID = "box-9";
    private static final String CHAT = "appliance/" + ID + "/v1/chat/completions";
    private static final String SCHEMA = """
            {"type": "object", "properties": {"sensor": {"type": "string", "maxLength": 6},
              "reading": {"type": "number"}, "alarm": {"type": "boolean"}},
             "required": ["sensor", "reading", "alarm"], "additionalProperties": false}""";

    @Test
    void answersFollowTheSchemaAndForcedCallsComeBackAsToolCalls() throws Exception {
        var settings = new HashMap<String, String>();
        settings.put("mqtt.enabled", "true");
        settings.put("mqtt.appliance-id", ID);
        settings.put("mqtt.embedded.port", Integer.toString(Harness.freePort()));
        try (var harness = Harness.start(settings)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!harness.appliance.gateway().connected() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(harness.appliance.gateway().connected(), "gateway connected");
            try (var device = new Devices.V3(harness.appliance.broker().url(), "dev-s").listen("devices/s/replies")) {
                var json = device.sendUntilAnswered(CHAT, "{\"reply_to\":\"devices/s/replies\",\"id\":\"j1\","
                        + "\"stream\":true,\"max_tokens\":300,\"temperature\":1,\"seed\":1,\"response_format\":"
                        + "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":" + SCHEMA + "}},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Reading?\"}]}", device.replies);
                var response = json.body().get("response");
                assertEquals("stop", response.at("/choices/0/finish_reason").asText(), json.body().toString());
                var errors = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                        .getSchema(SCHEMA, InputFormat.JSON)
                        .validate(response.at("/choices/0/message/content").asText(), InputFormat.JSON);
                assertTrue(errors.isEmpty(), response + ": " + errors);

                var call = device.sendUntilAnswered(CHAT, "{\"reply_to\":\"devices/s/replies\",\"id\":\"t1\","
                        + "\"max_tokens\":300,\"temperature\":1,\"seed\":1,\"tools\":[{\"type\":\"function\",\"function\":"
                        + "{\"name\":\"raise_alarm\",\"parameters\":" + SCHEMA + "}}],\"tool_choice\":\"required\","
                        + "\"parallel_tool_calls\":false,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Alarm?\"}]}", device.replies);
                var answer = call.body().get("response");
                assertEquals("tool_calls", answer.at("/choices/0/finish_reason").asText(), call.body().toString());
                assertEquals("raise_alarm", answer.at("/choices/0/message/tool_calls/0/function/name").asText());
            }
        }
    }
}
