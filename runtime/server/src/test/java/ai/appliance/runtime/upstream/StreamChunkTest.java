package ai.appliance.runtime.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.serving.InferenceRequest.Kind;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The stream events of OpenAI-compatible servers: the appliance's, vLLM's, SGLang's shapes. */
class StreamChunkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static StreamChunk chat(String json) throws Exception {
        return StreamChunk.parse(JSON.readTree(json), Kind.CHAT);
    }

    @Test
    void readsChatTextReasoningInBothSpellingsAndTheFinishReason() throws Exception {
        var role = chat("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}");
        assertFalse(role.hasText());
        assertNull(role.finishReason());

        var appliance = chat("{\"choices\":[{\"delta\":{\"content\":\"\",\"reasoning_content\":\"hmm\"}}]}");
        assertEquals("hmm", appliance.reasoning());
        var vllm = chat("{\"choices\":[{\"delta\":{\"reasoning\":\"so\"}}]}");
        assertEquals("so", vllm.reasoning());
        var text = chat("{\"choices\":[{\"delta\":{\"content\":\"Blue.\"},\"finish_reason\":\"stop\"}]}");
        assertEquals("Blue.", text.content());
        assertEquals("stop", text.finishReason());
        assertTrue(text.hasText());
        assertFalse(text.hasUsage());
    }

    @Test
    void readsCompletionTextAndTheUsageChunk() throws Exception {
        var completion = StreamChunk.parse(JSON.readTree("{\"choices\":[{\"text\":\" upon\",\"finish_reason\":\"length\"}]}"),
                Kind.COMPLETION);
        assertEquals(" upon", completion.content());
        assertEquals("length", completion.finishReason());

        var usage = chat("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":8}}}");
        assertTrue(usage.hasUsage());
        assertEquals(12, usage.promptTokens());
        assertEquals(8, usage.cachedPromptTokens());
        assertEquals(7, usage.completionTokens());
    }

    @Test
    void anErrorObjectInPlaceOfAChunkIsAnError() throws Exception {
        assertEquals("model overloaded", chat("{\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}")
                .error());
        assertEquals("no message", chat("{\"error\":{}}").error());
        assertNull(chat("{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}").error());
    }
}
