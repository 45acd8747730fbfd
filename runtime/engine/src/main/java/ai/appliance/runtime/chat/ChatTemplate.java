package ai.appliance.runtime.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;
import com.hubspot.jinjava.interpret.TemplateError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model's chat template (a Jinja program written for Python's jinja2, as transformers runs it) rendered with
 * Jinjava. transformers compiles templates with {@code trim_blocks} and {@code lstrip_blocks}; so does this.
 * Immutable and thread-safe.
 */
public final class ChatTemplate {
    /** Far above any context window's worth of text, far below what would exhaust memory. */
    static final long MAX_OUTPUT_CHARS = 64L << 20;

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    /**
     * @param source   the template text
     * @param bosToken the text passed as {@code bos_token} (may be empty)
     * @param eosToken the text passed as {@code eos_token} (may be empty)
     */
    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = adaptSyntax(source);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        var config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                // Jinjava would otherwise render "{{ ... }}" found inside printed values: a user's message
                // must be text, never template code (jinja2 never does this)
                .withNestedInterpretationEnabled(false)
                // templates come from model files: bound what one can produce instead of trusting it
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withRangeLimit(100_000)
                .withElResolver(resolver())
                .withExecutionMode(new PythonPrinting())
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withWhitespaceRequiredWithinTokens(false)
                        // Jinjava's "natural" precedence misreads jinja2's "a and not b.c" (R1's generation prompt)
                        .withUseNaturalOperatorPrecedence(false)
                        .withParseWhitespaceControlStrictly(true)
                        .withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        var globals = jinjava.getGlobalContext();
        globals.registerFilter(new PythonToJsonFilter());
        globals.registerTag(new GenerationTag());
        try {
            globals.registerFunction(new ELFunctionDefinition("", "raise_exception",
                    TemplateFunctions.class.getMethod("raiseException", String.class)));
            globals.registerFunction(new ELFunctionDefinition("", "strftime_now",
                    TemplateFunctions.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ELResolver resolver() {
        var composite = new CompositeELResolver();
        composite.add(new PythonMethods());
        composite.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        return composite;
    }

    /**
     * Rewrites what jinja2 does differently into what Jinjava understands: the reversing slice
     * {@code seq[::-1]} becomes {@code seq|reverse|list}, and the source's final newline is dropped.
     */
    static String adaptSyntax(String source) {
        // jinja2 (keep_trailing_newline=False, as transformers runs it) drops one newline at the end of the source
        if (source.endsWith("\r\n")) source = source.substring(0, source.length() - 2);
        else if (source.endsWith("\n")) source = source.substring(0, source.length() - 1);
        return REVERSED_SLICE.matcher(source).replaceAll("|reverse|list");
    }

    private static final java.util.regex.Pattern REVERSED_SLICE = java.util.regex.Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*\\]");

    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    /**
     * Renders a conversation.
     *
     * @param messages            maps with "role" and "content" (and whatever else the template reads)
     * @param addGenerationPrompt end with the opening of an assistant turn
     * @param tools               tool definitions, or null
     */
    public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        var context = new HashMap<String, Object>();
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        if (tools != null) context.put("tools", tools);
        com.hubspot.jinjava.interpret.RenderResult result;
        try {
            result = jinjava.renderForResult(source, context);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template failed: " + e.getMessage(), e);
        }
        var fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) {
            for (var e : fatal) {
                for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                    if (t instanceof ChatTemplateException refused) throw refused;
                }
            }
            throw new ChatTemplateException("chat template failed: " + fatal.stream()
                    .map(e -> e.getMessage() + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : ""))
                    .collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** Renders {@code messages} of plain role/content pairs. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages.stream().map(ChatMessage::toTemplateMap).toList(), addGenerationPrompt, null);
    }
}
