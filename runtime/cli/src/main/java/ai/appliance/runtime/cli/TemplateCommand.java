package ai.appliance.runtime.cli;

import ai.appliance.runtime.chat.ChatTemplates;
import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.ChatTemplateException;
import ai.appliance.runtime.model.ModelFormatException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance template}: renders a conversation with the model's chat template, exactly as the engine will. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = "Render a conversation with a model's chat template and print the prompt text.")
public final class TemplateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file or Hugging Face checkpoint folder.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Conversation conversation;

    @Option(names = "--no-generation-prompt", description = "Do not end with the opening of the assistant turn.")
    boolean noGenerationPrompt;

    static final class Conversation {
        @Option(names = "--messages", paramLabel = "JSON", description = "Messages as a JSON array of {\"role\",\"content\"} objects.")
        String messagesJson;

        @Option(names = "--messages-file", paramLabel = "F", description = "File holding the messages JSON array.")
        Path messagesFile;

        @ArgGroup(exclusive = false)
        SingleTurn single;
    }

    static final class SingleTurn {
        @Option(names = "--user", required = true, paramLabel = "TEXT", description = "One user message.")
        String user;

        @Option(names = "--system", paramLabel = "TEXT", description = "System prompt before the user message.")
        String system;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            var messages = messages();
            String rendered = ChatTemplates.load(model).render(messages, !noGenerationPrompt, null);
            var out = spec.commandLine().getOut();
            out.print(rendered);
            out.flush();
            return 0;
        } catch (ModelFormatException | ChatTemplateException e) {
            err.println("error: " + e.getMessage());
        } catch (JsonProcessingException e) {
            err.println("error: messages are not a JSON array of objects: " + e.getOriginalMessage());
        } catch (IOException e) {
            err.println("error: cannot read " + conversation.messagesFile + ": " + e.getMessage());
        }
        err.flush();
        return 1;
    }

    private List<Map<String, Object>> messages() throws IOException {
        if (conversation.single != null) {
            var list = new ArrayList<Map<String, Object>>();
            if (conversation.single.system != null) list.add(ChatMessage.system(conversation.single.system).toTemplateMap());
            list.add(ChatMessage.user(conversation.single.user).toTemplateMap());
            return list;
        }
        String json = conversation.messagesJson != null ? conversation.messagesJson
                : Files.readString(conversation.messagesFile, StandardCharsets.UTF_8);
        List<Map<String, Object>> messages = JSON.readValue(json, new TypeReference<>() {});
        for (var m : messages) {
            if (m == null || !(m.get("role") instanceof String)) {
                throw new ChatTemplateException("every message needs a \"role\" string: " + m);
            }
        }
        return messages;
    }
}
