package ai.appliance.runtime.chat;

/** A chat template could not be found, parsed or rendered; the message says which and why. */
public class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
