package ai.appliance.runtime.serving;

/** One chat turn: role is system, user, assistant (or tool); content is plain text. */
public record ChatMessage(String role, String content) {
}
