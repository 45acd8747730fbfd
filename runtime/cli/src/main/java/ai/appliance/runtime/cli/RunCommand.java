package ai.appliance.runtime.cli;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.common.ProgressBar;
import ai.appliance.runtime.backend.WorkerPool;
import ai.appliance.runtime.chat.ChatMessage;
import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.chat.ReasoningSplitter;
import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.generation.Conversation;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.Step;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.sampling.LogitsProcessor;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.watermark.Watermark;
import ai.appliance.runtime.watermark.WatermarkKey;
import ai.appliance.runtime.watermark.WatermarkSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import ai.appliance.runtime.backend.Backends;
import ai.appliance.runtime.loading.LanguageModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance run}: one-shot generation or an interactive chat on the local CPU engine. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Generates text with a model on this machine.",
                "With --prompt or --ids: one answer, streamed to stdout. Without them, on a terminal or with --interactive: a chat."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file or Hugging Face checkpoint folder.")
    Path model;

    @Option(names = "--device-dir", paramLabel = "DIR",
            description = "Enrolled device folder: decrypts a model encrypted at rest (provision encrypt-model).")
    Path deviceDir;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The user message (chat-formatted unless --raw).")
    String prompt;

    @Option(names = "--raw", description = "Feed --prompt as plain text, without the chat template.")
    boolean raw;

    @Option(names = "--ids", split = ",", paramLabel = "ID", description = "Prompt token ids, comma-separated, fed as they are.")
    int[] ids;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message for chat formatting.")
    String system;

    @Option(names = "--interactive", description = "Chat: read user messages from stdin until end of input.")
    boolean interactive;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "1024", description = "Most new tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--context", paramLabel = "N", defaultValue = "4096",
            description = "Positions of the KV cache, at most the model's context length (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.6", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "1 = off (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0", description = "0 = off (default: ${DEFAULT-VALUE}).")
    double minP;

    @Option(names = "--repetition-penalty", paramLabel = "X", defaultValue = "1", description = "1 = off (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--presence-penalty", paramLabel = "X", defaultValue = "0", description = "0 = off (default: ${DEFAULT-VALUE}).")
    double presencePenalty;

    @Option(names = "--frequency-penalty", paramLabel = "X", defaultValue = "0", description = "0 = off (default: ${DEFAULT-VALUE}).")
    double frequencyPenalty;

    @Option(names = "--penalty-window", paramLabel = "N", defaultValue = "64",
            description = "Latest tokens the penalties look at; -1 = all (default: ${DEFAULT-VALUE}).")
    int penaltyWindow;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for reproducible sampling.")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output contains TEXT (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--json", description = "Print {\"ids\",\"text\",\"reasoning\",\"finish_reason\"} instead of streaming.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: physical cores).")
    Integer threads;

    @Option(names = "--watermark-key-file", paramLabel = "FILE",
            description = "Mark the output with this key (watermark keygen makes one; watermark detect finds the mark).")
    Path watermarkKeyFile;

    @Option(names = "--watermark-gamma", paramLabel = "G", defaultValue = "" + WatermarkSettings.DEFAULT_GAMMA,
            description = "Green share of the vocabulary per step (default: ${DEFAULT-VALUE}).")
    double watermarkGamma;

    @Option(names = "--watermark-delta", paramLabel = "D", defaultValue = "" + WatermarkSettings.DEFAULT_DELTA,
            description = "Bias added to green logits (default: ${DEFAULT-VALUE}).")
    double watermarkDelta;

    @Option(names = "--watermark-context", paramLabel = "H", defaultValue = "" + WatermarkSettings.DEFAULT_CONTEXT,
            description = "Preceding tokens that seed each green list (default: ${DEFAULT-VALUE}).")
    int watermarkContext;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Compute backend by name (default: ${DEFAULT-VALUE}; installed ones are listed when a name is unknown).")
    String backend;

    @Override
    public Integer call() {
        try {
            return execute();
        } catch (Exception e) {
            return CommandFailure.report(spec, e);
        }
    }

    private int execute() throws Exception {
        int modes = (prompt != null ? 1 : 0) + (ids != null ? 1 : 0);
        if (modes > 1) throw new IllegalArgumentException("give either --prompt or --ids, not both");
        if (raw && prompt == null) throw new IllegalArgumentException("--raw needs --prompt");
        boolean chat = modes == 0;
        if (chat && !interactive && !stdinIsTerminal()) {
            throw new IllegalArgumentException("no prompt: give --prompt TEXT or --ids, or run on a terminal / with --interactive for a chat");
        }
        if (chat && json) throw new IllegalArgumentException("--json needs --prompt or --ids");
        var sampler = SamplerSettings.builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .penaltyWindow(penaltyWindow).seed(seed).build();
        if (context < 1) throw new IllegalArgumentException("--context must be at least 1");
        var watermark = watermarkKeyFile == null ? null : new Watermark(WatermarkKey.read(watermarkKeyFile),
                new WatermarkSettings(watermarkGamma, watermarkDelta, watermarkContext));
        try (var files = EncryptedModels.open(model, deviceDir);
             var transformer = LanguageModels.open(files, backend, threads != null ? threads : 0)) {
            var format = files.gguf() != null ? PromptFormat.fromGguf(model, files.gguf().metadata()) : PromptFormat.load(model);
            var stopTokens = new HashSet<>(format.tokenizer().endOfGenerationIds());
            if (format.tokenizer().eosId() >= 0) stopTokens.add(format.tokenizer().eosId());
            var settings = new GenerationSettings(sampler, maxTokens, stop, stopTokens);
            var session = new Session(transformer, format, settings, watermark);
            if (chat) return session.chat();
            if (ids != null) return session.answer(ids, format.tokenizer().decode(ids));
            if (raw) return session.answer(session.rawPrompt(prompt), prompt);
            var conversation = new ArrayList<ChatMessage>();
            if (system != null) conversation.add(ChatMessage.system(system));
            conversation.add(ChatMessage.user(prompt));
            var rendered = format.render(conversation);
            return session.answer(format.encodePrompt(rendered), rendered);
        }
    }

    /** Since JDK 22 System.console() exists even when redirected; isTerminal() tells the difference. */
    private static boolean stdinIsTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    /** One loaded model and tokenizer answering prompts. */
    private final class Session {
        private final LanguageModel transformer;
        private final PromptFormat format;
        private final GenerationSettings settings;
        private final Watermark watermark;

        /** @param watermark null: output is not marked */
        Session(LanguageModel transformer, PromptFormat format, GenerationSettings settings, Watermark watermark) {
            this.transformer = transformer;
            this.format = format;
            this.settings = settings;
            this.watermark = watermark;
        }

        /** Each answer's processors: a fresh watermark processor, or none. */
        List<LogitsProcessor> processors() {
            return watermark == null ? List.of() : List.of(watermark.newProcessor());
        }

        /** Plain text, with BOS when the tokenizer wants one. */
        int[] rawPrompt(String text) {
            return format.encodePrompt(text);
        }

        /** Generates after {@code promptIds} (whose text is {@code promptText}, to tell whether output starts in reasoning). */
        int answer(int[] promptIds, String promptText) throws Exception {
            var out = spec.commandLine().getOut();
            var progress = ProgressBar.count(spec.commandLine().getErr(), "prompt", promptIds.length, "tokens");
            var result = new Generator(transformer).generate(promptIds, settings, processors(), decoder(), context,
                    new Generator.Listener() {
                        @Override
                        public void promptProgress(int done, int total) {
                            progress.update(done, total);
                            if (done >= total) progress.close(); // the answer follows on stdout
                        }

                        @Override
                        public void step(Step step) {
                            if (!json && !step.text().isEmpty()) {
                                out.print(step.text());
                                out.flush();
                            }
                        }
                    });
            if (json) {
                var object = new LinkedHashMap<String, Object>();
                object.put("ids", result.tokens());
                var split = ReasoningSplitter.split(promptText, result.text());
                object.put("text", split.content());
                object.put("reasoning", split.reasoning().isEmpty() ? null : split.reasoning());
                object.put("finish_reason", result.finishReason().apiName());
                out.println(new ObjectMapper().writeValueAsString(object));
            } else {
                out.println();
            }
            out.flush();
            return 0;
        }

        int chat() throws Exception {
            var out = spec.commandLine().getOut();
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            var messages = new ArrayList<ChatMessage>();
            if (system != null) messages.add(ChatMessage.system(system));
            // One KV cache for the whole chat: each turn recomputes only what follows the shared prefix.
            try (var conversation = new Conversation(transformer, Math.min(context, transformer.config().contextLength()))) {
                while (true) {
                    out.print("> ");
                    out.flush();
                    var line = in.readLine();
                    if (line == null) return 0;
                    if (line.isBlank()) continue;
                    messages.add(ChatMessage.user(line));
                    var rendered = format.render(messages);
                    Generator.Result result;
                    try {
                        result = conversation.generate(format.encodePrompt(rendered), settings, processors(), decoder(), step -> {
                            out.print(step.text());
                            out.flush();
                        });
                    } catch (ContextOverflowException e) {
                        var err = spec.commandLine().getErr();
                        err.println("the conversation no longer fits in the context (" + e.getMessage() + "); starting a new one");
                        err.flush();
                        messages.removeIf(m -> !m.role().equals("system"));
                        continue;
                    }
                    out.println();
                    // The template drops earlier turns' reasoning; keep only the answer in the history.
                    messages.add(ChatMessage.assistant(ReasoningSplitter.split(rendered, result.text()).content()));
                }
            }
        }

        TokenTextDecoder decoder() {
            var tokenizer = format.tokenizer();
            var streaming = tokenizer.newStreamingDecoder();
            return new TokenTextDecoder() {
                @Override
                public String decode(int token) {
                    return tokenizer.isSpecial(token) ? "" : streaming.push(token);
                }

                @Override
                public String flush() {
                    return streaming.flush();
                }
            };
        }
    }
}
