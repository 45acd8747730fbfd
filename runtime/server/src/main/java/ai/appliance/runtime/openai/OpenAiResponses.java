package ai.appliance.runtime.openai;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.chat.ToolCall;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.scheduler.ToolCallDelta;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ModelInfo;
import ai.appliance.runtime.serving.ResponseStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Builds OpenAI-shaped response bodies: completions, stream chunks, model lists, errors. */
public final class OpenAiResponses {

    private final ObjectMapper json;

    public OpenAiResponses(ObjectMapper json) {
        this.json = json;
    }

    /** The whole answer; its log probabilities are there when the request asked for them. */
    public ObjectNode completion(InferenceRequest request, ResponseStream stream, ResponseStream.Completed done) {
        var kind = request.kind();
        var root = header(kind, stream, false);
        var choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (kind == InferenceRequest.Kind.CHAT) {
            choice.set("message", message(done.content(), done.reasoning(), done.toolCalls()));
        } else {
            choice.put("text", done.reasoning().isEmpty() ? done.content() : done.reasoning() + done.content());
        }
        choice.set("logprobs", new OpenAiLogprobs(json, request).render(done.logprobs()));
        choice.put("finish_reason", done.outcome().reason().openAiName());
        usage(root, done.outcome());
        return root;
    }

    /**
     * A chunk carrying text (and, for the first chat chunk, the assistant role) and the log probabilities of the
     * tokens generated since the previous chunk ({@code logprobs}: from the response's {@link OpenAiLogprobs}).
     */
    public ObjectNode deltaChunk(InferenceRequest.Kind kind, ResponseStream stream, String content, String reasoning,
                                 List<ToolCallDelta> toolCalls, boolean first, JsonNode logprobs) {
        var root = header(kind, stream, true);
        var choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (kind == InferenceRequest.Kind.CHAT) {
            var delta = choice.putObject("delta");
            if (first) {
                delta.put("role", "assistant");
            }
            if (!content.isEmpty() || (reasoning.isEmpty() && toolCalls.isEmpty())) {
                delta.put("content", content);
            }
            if (!reasoning.isEmpty()) {
                delta.put("reasoning_content", reasoning);
            }
            if (!toolCalls.isEmpty()) {
                delta.set("tool_calls", toolCallDeltas(toolCalls));
            }
        } else {
            choice.put("text", reasoning + content);
        }
        choice.set("logprobs", logprobs);
        choice.putNull("finish_reason");
        return root;
    }

    /**
     * The assistant's message of a whole answer: {@code content} (null when the answer only called tools, as
     * OpenAI's), {@code reasoning_content} when there is reasoning, {@code tool_calls} when there are calls.
     */
    public ObjectNode message(String content, String reasoning, List<ToolCall> toolCalls) {
        var message = json.createObjectNode();
        message.put("role", "assistant");
        if (content.isEmpty() && !toolCalls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
        if (!reasoning.isEmpty()) {
            message.put("reasoning_content", reasoning);
        }
        if (!toolCalls.isEmpty()) {
            var calls = message.putArray("tool_calls");
            for (var call : toolCalls) {
                var node = calls.addObject();
                node.put("id", call.id());
                node.put("type", "function");
                node.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        return message;
    }

    /**
     * Streamed pieces of tool calls in OpenAI's chunk shape: {@code index}, and on a call's first piece its
     * {@code id}, {@code type} and {@code function.name}; {@code function.arguments} on every piece.
     */
    public ArrayNode toolCallDeltas(List<ToolCallDelta> deltas) {
        var array = json.createArrayNode();
        for (var d : deltas) {
            var node = array.addObject();
            node.put("index", d.index());
            if (d.id() != null) {
                node.put("id", d.id());
                node.put("type", "function");
            }
            var function = node.putObject("function");
            if (d.name() != null) {
                function.put("name", d.name());
            }
            function.put("arguments", d.arguments());
        }
        return array;
    }

    /** The chunk that ends the choice with its finish reason. */
    public ObjectNode finishChunk(InferenceRequest.Kind kind, ResponseStream stream, Outcome outcome) {
        var root = header(kind, stream, true);
        var choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (kind == InferenceRequest.Kind.CHAT) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", outcome.reason().openAiName());
        return root;
    }

    /** The extra chunk with empty choices and usage, sent when stream_options.include_usage is set. */
    public ObjectNode usageChunk(InferenceRequest.Kind kind, ResponseStream stream, Outcome outcome) {
        var root = header(kind, stream, true);
        root.putArray("choices");
        usage(root, outcome);
        return root;
    }

    public ObjectNode models(List<ModelInfo> models) {
        var root = json.createObjectNode();
        root.put("object", "list");
        var data = root.putArray("data");
        for (var m : models) {
            var node = data.addObject();
            node.put("id", m.name());
            node.put("object", "model");
            node.put("created", m.loadedAtEpochSeconds());
            node.put("owned_by", m.demo() ? "appliance-demo (random weights: output is noise)"
                    : m.upstream() ? "upstream" : "appliance");
            node.put("version", m.version());
            node.put("weight", m.weight());
            node.put("demo", m.demo());
            if (m.upstream()) {
                node.put("upstream", true);
            }
        }
        return root;
    }

    public ObjectNode error(ApiException e) {
        var root = json.createObjectNode();
        var error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.kind().type());
        if (e.param() == null) {
            error.putNull("param");
        } else {
            error.put("param", e.param());
        }
        error.put("code", e.kind().code());
        return root;
    }

    private ObjectNode header(InferenceRequest.Kind kind, ResponseStream stream, boolean chunk) {
        var root = json.createObjectNode();
        root.put("id", stream.id());
        root.put("object", kind == InferenceRequest.Kind.CHAT
                ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        root.put("created", stream.created());
        root.put("model", stream.model());
        root.put("system_fingerprint", stream.model() + "@" + stream.version());
        return root;
    }

    private static void usage(ObjectNode root, Outcome outcome) {
        var usage = root.putObject("usage");
        usage.put("prompt_tokens", outcome.promptTokens());
        usage.put("completion_tokens", outcome.completionTokens());
        usage.put("total_tokens", outcome.promptTokens() + outcome.completionTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", outcome.cachedPromptTokens());
    }
}
