package ai.appliance.runtime.cli;

import ai.appliance.runtime.backend.WorkerPool;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.Step;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.model.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.tokenizer.Tokenizers;
import ai.appliance.runtime.transformer.Transformer;
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
        if (chat && !interactive && System.console() == null) {
            throw new IllegalArgumentException("no prompt: give --prompt TEXT or --ids, or run on a terminal / with --interactive for a chat");
        }
        if (chat && json) throw new IllegalArgumentException("--json needs --prompt or --ids");
        var sampler = SamplerSettings.builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .penaltyWindow(penaltyWindow).seed(seed).build();
        if (context < 1) throw new IllegalArgumentException("--context must be at least 1");
        try (var files = ModelFiles.open(model);
             var transformer = Transformer.onCpu(files, threads != null ? threads : WorkerPool.physicalCores())) {
            var tokenizer = Tokenizers.load(model);
            var stopTokens = new HashSet<Integer>();
            if (tokenizer.eosId() >= 0) stopTokens.add(tokenizer.eosId());
            var settings = new GenerationSettings(sampler, maxTokens, stop, stopTokens);
            var session = new Session(transformer, tokenizer, settings);
            if (chat) return session.chat();
            int[] promptIds = ids != null ? ids : raw ? session.rawPrompt(prompt) : session.chatPrompt(List.of(userMessage(prompt)));
            return session.answer(promptIds);
        }
    }

    private static Message userMessage(String text) {
        return new Message("user", text);
    }

    record Message(String role, String content) {
    }

    /** One loaded model and tokenizer answering prompts. */
    private final class Session {
        private final Transformer transformer;
        private final Tokenizer tokenizer;
        private final GenerationSettings settings;

        Session(Transformer transformer, Tokenizer tokenizer, GenerationSettings settings) {
            this.transformer = transformer;
            this.tokenizer = tokenizer;
            this.settings = settings;
        }

        int[] rawPrompt(String text) {
            var body = tokenizer.encode(text);
            if (!tokenizer.addBos() || tokenizer.bosId() < 0) return body;
            var withBos = new int[body.length + 1];
            withBos[0] = tokenizer.bosId();
            System.arraycopy(body, 0, withBos, 1, body.length);
            return withBos;
        }

        int[] chatPrompt(List<Message> messages) {
            throw new UnsupportedOperationException("chat formatting is not available yet; use --raw");
        }

        int answer(int[] promptIds) throws Exception {
            var out = spec.commandLine().getOut();
            var progress = new ProgressLine(spec.commandLine().getErr(), "prompt");
            var result = new Generator(transformer).generate(promptIds, settings, decoder(), context, new Generator.Listener() {
                @Override
                public void promptProgress(int done, int total) {
                    progress.update(done, total);
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
                object.put("text", result.text());
                object.put("reasoning", null);
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
            var messages = new ArrayList<Message>();
            if (system != null) messages.add(new Message("system", system));
            while (true) {
                out.print("> ");
                out.flush();
                var line = in.readLine();
                if (line == null) return 0;
                if (line.isBlank()) continue;
                messages.add(userMessage(line));
                var answer = new StringBuilder();
                var result = new Generator(transformer).generate(chatPrompt(messages), settings, decoder(), context,
                        step -> {
                            out.print(step.text());
                            out.flush();
                            answer.append(step.text());
                        });
                out.println();
                messages.add(new Message("assistant", result.text()));
            }
        }

        TokenTextDecoder decoder() {
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
