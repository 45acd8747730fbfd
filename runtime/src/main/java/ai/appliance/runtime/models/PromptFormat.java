package ai.appliance.runtime.models;

import ai.appliance.runtime.serving.ChatMessage;
import java.util.List;

/** Turns a request into the prompt text a model was trained on, and says how its answer starts. */
public interface PromptFormat {

    /** The chat rendered with the generation prompt appended (the assistant turn opened). */
    String renderChat(List<ChatMessage> messages);

    /** A fresh splitter for one answer to a chat rendered by {@link #renderChat}. */
    ReasoningFilter newReasoningFilter(String renderedPrompt);
}
