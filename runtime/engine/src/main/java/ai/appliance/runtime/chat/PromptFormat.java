package ai.appliance.runtime.chat;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tokenizer.HfTokenizerJson;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything between a conversation and token ids for one model: its tokenizer and chat template. This is
 * what the engine CLI and the server load once per model.
 */
public record PromptFormat(Tokenizer tokenizer, ChatTemplate template) {

    /** Loads both from a {@code .gguf} file (opened once) or a checkpoint folder. */
    public static PromptFormat load(Path modelPath) {
        if (Files.isDirectory(modelPath)) {
            return new PromptFormat(HfTokenizerJson.load(modelPath), ChatTemplates.load(modelPath));
        }
        if (!Files.isRegularFile(modelPath)) {
            throw new ModelFormatException(modelPath, "not found (expected a .gguf file or a checkpoint folder)");
        }
        try (var gguf = GgufFile.open(modelPath)) {
            return fromGguf(modelPath, gguf.metadata());
        }
    }

    public static PromptFormat fromGguf(Path file, Map<String, Object> metadata) {
        return new PromptFormat(Tokenizers.fromGguf(file, metadata), ChatTemplates.fromGguf(file, metadata));
    }

    /** The prompt text for a conversation, ending with the assistant turn's opening. */
    public String render(List<ChatMessage> messages) {
        return template.render(messages, true);
    }

    /**
     * The prompt text for a conversation whose model may call {@code tools} (passed to the template as {@code tools},
     * as transformers does; empty passes none).
     */
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools) {
        var maps = messages.stream().map(ChatMessage::toTemplateMap).toList();
        return template.render(maps, true, tools.isEmpty() ? null : tools.stream().map(ToolDefinition::toTemplateMap).toList());
    }

    /**
     * Token ids of a rendered prompt: special-token text (the template writes BOS itself) maps to ids, and BOS is
     * prepended only when the tokenizer asks for it and the prompt does not already start with it.
     */
    public int[] encodePrompt(String renderedPrompt) {
        int[] ids = tokenizer.encode(renderedPrompt);
        int bos = tokenizer.bosId();
        if (!tokenizer.addBos() || bos < 0 || (ids.length > 0 && ids[0] == bos)) return ids;
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bos;
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /** Render and encode in one step. */
    public int[] encodeConversation(List<ChatMessage> messages) {
        return encodePrompt(render(messages));
    }

    /** A reasoning splitter for output generated after {@code renderedPrompt}. */
    public ReasoningSplitter reasoningSplitter(String renderedPrompt) {
        return ReasoningSplitter.forPrompt(renderedPrompt);
    }

    @Override
    public String toString() {
        return "PromptFormat[vocabulary=" + tokenizer.vocabularySize() + ", bos=" + tokenizer.bosId()
                + ", eos=" + tokenizer.eosId() + ", addBos=" + tokenizer.addBos() + ", special=" + Arrays.toString(
                tokenizer.specialIds().stream().mapToInt(Integer::intValue).sorted().limit(8).toArray()) + "]";
    }
}
