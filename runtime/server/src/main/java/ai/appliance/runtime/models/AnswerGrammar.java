package ai.appliance.runtime.models;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.grammar.GrammarCache;
import ai.appliance.runtime.grammar.JsonSchemaGrammar;
import ai.appliance.runtime.grammar.Rule;
import ai.appliance.runtime.grammar.UnsupportedSchemaException;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.ResponseFormat;
import ai.appliance.runtime.serving.ToolUse;
import ai.appliance.runtime.tools.ToolCallSyntax;
import java.util.LinkedHashMap;

/**
 * The grammar a request's answer must follow, from its {@code response_format} and {@code tool_choice}: JSON valid
 * under the schema, any JSON object, calls to the offered functions (with arguments valid under each function's
 * parameters) when the request insists on a call, or either JSON or calls when it lets the model choose. Compiled
 * rules are cached by what they were compiled from, so repeated schemas reuse their token masks.
 */
final class AnswerGrammar {
    /** Calls one answer may make when parallel calls are allowed: enough for real use, a bound on a runaway model. */
    static final int MAX_PARALLEL_CALLS = 16;

    private final GrammarCache cache;

    AnswerGrammar(GrammarCache cache) {
        this.cache = cache;
    }

    /**
     * The grammar, or null when the answer is free text.
     *
     * @param syntax the model's tool-call syntax, or null when the request's tools are not active
     * @throws ApiException naming the schema keyword that cannot be enforced
     */
    Rule of(InferenceRequest request, ToolCallSyntax syntax) {
        var tools = request.tools();
        if (syntax != null && tools.forced()) {
            return calls(tools, syntax);
        }
        Rule json = switch (request.responseFormat()) {
            case ResponseFormat.Text text -> null;
            case ResponseFormat.JsonObject object -> cache.get("json_object", JsonSchemaGrammar::anyObject);
            case ResponseFormat.JsonSchema schema -> cache.get("schema:" + schema.schema(),
                    () -> compile(schema.schema(), "response_format.json_schema.schema"));
        };
        if (json == null || syntax == null || !tools.active()) {
            return json;
        }
        // The model may answer in JSON or call a function: JSON starts with '{', calls with their marker.
        var calls = calls(tools, syntax);
        return cache.get("either:" + request.responseFormat() + "|" + key(tools), () -> Rule.either(json, calls));
    }

    private Rule calls(ToolUse tools, ToolCallSyntax syntax) {
        return cache.get(key(tools), () -> {
            var arguments = new LinkedHashMap<String, Rule>();
            for (int i = 0; i < tools.tools().size(); i++) {
                var tool = tools.tools().get(i);
                if (tools.choice() instanceof ToolUse.ToolChoice.Function(var name) && !name.equals(tool.name())) {
                    continue;
                }
                arguments.put(tool.name(), compile(tool.parameters(), "tools[" + i + "].function.parameters"));
            }
            return syntax.calls(arguments, maxCalls(tools));
        });
    }

    private static int maxCalls(ToolUse tools) {
        return tools.choice() instanceof ToolUse.ToolChoice.Function || !tools.parallel() ? 1 : MAX_PARALLEL_CALLS;
    }

    private static String key(ToolUse tools) {
        var sb = new StringBuilder("calls:").append(tools.choice()).append(':').append(maxCalls(tools));
        for (var tool : tools.tools()) sb.append('|').append(tool.name()).append('=').append(tool.parameters());
        return sb.toString();
    }

    private static Rule compile(com.fasterxml.jackson.databind.JsonNode schema, String param) {
        try {
            return JsonSchemaGrammar.compile(schema);
        } catch (UnsupportedSchemaException e) {
            throw ApiException.invalid(param, param + ": " + e.getMessage());
        }
    }
}
