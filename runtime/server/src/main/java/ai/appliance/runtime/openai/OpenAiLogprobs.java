package ai.appliance.runtime.openai;

import ai.appliance.runtime.scheduler.TextLogprob;
import ai.appliance.runtime.serving.InferenceRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One response's token log probabilities in the shape of its endpoint, chunk after chunk:
 * <ul>
 *   <li>chat: {@code {"content": [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}],
 *       "refusal": null}};</li>
 *   <li>completions: {@code {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}], "text_offset"}}, where the
 *       top dictionary also holds the chosen token (OpenAI: up to logprobs + 1 entries) and each offset counts the
 *       characters of the generated text before the token, continued across stream chunks.</li>
 * </ul>
 * A response that did not ask for them, or a chunk without tokens, gets {@code null}.
 */
public final class OpenAiLogprobs {
    private final ObjectMapper json;
    private final InferenceRequest.Kind kind;
    private final boolean requested;
    private int textOffset;

    public OpenAiLogprobs(ObjectMapper json, InferenceRequest request) {
        this.json = json;
        this.kind = request.kind();
        this.requested = request.wantsLogprobs();
    }

    /** The log probabilities of {@code tokens}, the next ones of this response. */
    public JsonNode render(List<TextLogprob> tokens) {
        if (!requested || tokens.isEmpty()) {
            return NullNode.getInstance();
        }
        return kind == InferenceRequest.Kind.CHAT ? chat(tokens) : completion(tokens);
    }

    private ObjectNode chat(List<TextLogprob> tokens) {
        var root = json.createObjectNode();
        var content = root.putArray("content");
        for (var token : tokens) {
            var entry = chatEntry(content.addObject(), token);
            var top = entry.putArray("top_logprobs");
            for (var alternative : token.top()) {
                chatEntry(top.addObject(), alternative);
            }
        }
        root.putNull("refusal");
        return root;
    }

    private static ObjectNode chatEntry(ObjectNode node, TextLogprob token) {
        node.put("token", token.token());
        node.put("logprob", token.logprob());
        bytes(node.putArray("bytes"), token.bytes());
        return node;
    }

    private static void bytes(ArrayNode array, byte[] bytes) {
        for (byte b : bytes) {
            array.add(b & 0xff);
        }
    }

    private ObjectNode completion(List<TextLogprob> tokens) {
        var root = json.createObjectNode();
        var texts = root.putArray("tokens");
        var logprobs = root.putArray("token_logprobs");
        var top = root.putArray("top_logprobs");
        var offsets = root.putArray("text_offset");
        for (var token : tokens) {
            texts.add(token.token());
            logprobs.add(token.logprob());
            var alternatives = top.addObject();
            for (var alternative : token.top()) {
                alternatives.put(alternative.token(), alternative.logprob());
            }
            if (!alternatives.has(token.token())) {
                alternatives.put(token.token(), token.logprob());
            }
            offsets.add(textOffset);
            textOffset += charactersStarted(token.bytes());
        }
        return root;
    }

    /**
     * UTF-16 characters that begin in {@code bytes}: one per UTF-8 lead byte, two for a 4-byte sequence (a surrogate
     * pair). A character split across tokens counts with the token that starts it.
     */
    static int charactersStarted(byte[] bytes) {
        int chars = 0;
        for (byte b : bytes) {
            int v = b & 0xff;
            if ((v & 0xc0) != 0x80) {
                chars += v >= 0xf0 ? 2 : 1;
            }
        }
        return chars;
    }
}
