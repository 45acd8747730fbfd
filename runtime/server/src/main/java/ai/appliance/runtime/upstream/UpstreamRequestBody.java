package ai.appliance.runtime.upstream;

import ai.appliance.runtime.serving.InferenceRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAI request sent upstream, rebuilt from the validated request rather than copied from the client's body:
 * only fields this appliance understood and checked travel, the model id is the upstream's, and the appliance's own
 * extension fields ({@code local_only}, {@code allow_fallback}) stay here. Always streamed with usage, whatever the
 * client asked: timeouts then work the same for every request, and the usage chunk gives the token counts recorded
 * here.
 */
final class UpstreamRequestBody {

    private UpstreamRequestBody() {
    }

    static ObjectNode of(InferenceRequest request, String upstreamModel, ObjectMapper json) {
        var root = json.createObjectNode();
        root.put("model", upstreamModel);
        if (request.kind() == InferenceRequest.Kind.CHAT) {
            var messages = root.putArray("messages");
            for (var m : request.messages()) {
                messages.addObject().put("role", m.role()).put("content", m.content());
            }
        } else {
            root.put("prompt", request.prompt());
        }
        root.put("max_tokens", request.maxTokens());
        var sampling = request.sampling();
        root.put("temperature", sampling.temperature());
        root.put("top_p", sampling.topP());
        if (sampling.topK() > 0) {
            // Not OpenAI's, but vLLM, SGLang and the appliance read it.
            root.put("top_k", sampling.topK());
        }
        if (sampling.seed() != null) {
            root.put("seed", sampling.seed());
        }
        if (sampling.presencePenalty() != 0) {
            root.put("presence_penalty", sampling.presencePenalty());
        }
        if (sampling.frequencyPenalty() != 0) {
            root.put("frequency_penalty", sampling.frequencyPenalty());
        }
        if (!request.stop().isEmpty()) {
            var stop = root.putArray("stop");
            request.stop().forEach(stop::add);
        }
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        return root;
    }
}
