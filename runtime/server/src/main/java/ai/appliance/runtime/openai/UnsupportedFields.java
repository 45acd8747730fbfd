package ai.appliance.runtime.openai;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.serving.InferenceRequest;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Refuses OpenAI request fields that would change the answer in a way the appliance cannot: a request using one is
 * answered 400 naming the field, never answered as if the field were absent. A field set to its "off" value (no
 * functions, {@code echo: false}) is accepted. Fields that do not change the answer
 * ({@code user}, {@code metadata}, {@code store}, {@code service_tier}, ...) pass.
 */
final class UnsupportedFields {

    private UnsupportedFields() {
    }

    static void refuse(JsonNode root, InferenceRequest.Kind kind) {
        if (nonEmpty(root.get("logit_bias"))) {
            throw unsupported("logit_bias", "logit_bias is not supported");
        }
        if (kind == InferenceRequest.Kind.CHAT) {
            // The deprecated forms of tool calling; tools and tool_choice replace them.
            if (nonEmpty(root.get("functions"))) {
                throw unsupported("functions", "functions is not supported (use tools)");
            }
            var functionCall = root.get("function_call");
            if (set(functionCall) && !(functionCall.isTextual() && functionCall.asText().equals("none"))) {
                throw unsupported("function_call", "function_call is not supported (use tool_choice)");
            }
            var modalities = root.get("modalities");
            if (set(modalities) && !(modalities.isArray() && modalities.size() == 1
                    && modalities.get(0).asText("").equals("text"))) {
                throw unsupported("modalities", "only the text modality is supported");
            }
            for (var field : new String[] {"audio", "prediction", "web_search_options", "reasoning_effort", "verbosity"}) {
                if (set(root.get(field))) {
                    throw unsupported(field, field + " is not supported");
                }
            }
        } else {
            if (root.path("echo").asBoolean(false)) {
                throw unsupported("echo", "echo is not supported");
            }
            if (root.path("best_of").asInt(1) != 1) {
                throw unsupported("best_of", "only best_of=1 is supported");
            }
            var suffix = root.get("suffix");
            if (set(suffix) && !suffix.asText("").isEmpty()) {
                throw unsupported("suffix", "suffix (insertion) is not supported");
            }
        }
    }

    private static boolean set(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static boolean nonEmpty(JsonNode node) {
        return set(node) && !(node.isContainerNode() && node.isEmpty());
    }

    private static ApiException unsupported(String field, String message) {
        return ApiException.invalid(field, message + "; the appliance refuses it rather than answer without it");
    }
}
