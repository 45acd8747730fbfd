package ai.appliance.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A WebSocket client listener of the front-end tests: collects text messages until a done or error message. */
final class WebSocketMessages implements WebSocket.Listener {
    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<JsonNode> finished = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                var node = Harness.json(partial.toString());
                messages.add(node);
                var type = node.get("type").asText();
                if (type.equals("done") || type.equals("error")) {
                    finished.complete(node);
                }
            } catch (Exception e) {
                finished.completeExceptionally(e);
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }
}
