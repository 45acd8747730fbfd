package ai.appliance.runtime.cli;

import ai.appliance.runtime.tokenizer.Tokenizers;
import ai.appliance.runtime.watermark.Detection;
import ai.appliance.runtime.watermark.Watermark;
import ai.appliance.runtime.watermark.WatermarkKey;
import ai.appliance.runtime.watermark.WatermarkSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code appliance watermark detect}: tokenizes a text with the model's tokenizer and tests it for the mark of a
 * key. Needs the tokenizer and the key, not the weights.
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Test a text for the watermark of a key: prints the tokens scored, how many are green, the"
                + " z-score and the verdict (watermarked when z is above the threshold).",
                "The text comes from --text, --file, --ids or standard input. Only the model's tokenizer is read."})
public final class WatermarkDetectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeySource key;

    static final class KeySource {
        @Option(names = "--key-file", paramLabel = "FILE", description = "The key file (watermark keygen, or the"
                + " appliance's watermark.key-file).")
        Path file;

        @Option(names = "--key", paramLabel = "HEX", description = "The key as 64 hex digits (visible to other users"
                + " of this machine in the process list: prefer --key-file).")
        String hex;
    }

    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "GGUF file or Hugging Face checkpoint folder of the model that wrote the text (its tokenizer).")
    Path model;

    @ArgGroup(exclusive = true)
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "T", description = "The text.")
        String text;

        @Option(names = "--file", paramLabel = "F", description = "A UTF-8 file holding the text.")
        Path file;

        @Option(names = "--ids", split = ",", paramLabel = "ID",
                description = "Token ids as generated (run --json prints them): scored exactly, without re-tokenizing.")
        int[] ids;
    }

    @Option(names = "--gamma", paramLabel = "G", defaultValue = "" + WatermarkSettings.DEFAULT_GAMMA,
            description = "Green share the text was marked with (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--context", paramLabel = "H", defaultValue = "" + WatermarkSettings.DEFAULT_CONTEXT,
            description = "Preceding tokens that seeded each green list (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--threshold", paramLabel = "Z", defaultValue = "" + Detection.DEFAULT_THRESHOLD,
            description = "z-score above which the text counts as watermarked (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--count-repeats", description = "Score every token, not each (context, token) pair once:"
            + " repetitive text then reaches high z-scores without the mark.")
    boolean countRepeats;

    @Option(names = "--json", description = "Print one JSON object instead of a line of text.")
    boolean json;

    @Override
    public Integer call() {
        try {
            var watermarkKey = key.file != null ? WatermarkKey.read(key.file) : WatermarkKey.fromHex(key.hex);
            // Delta plays no part in detection.
            var watermark = new Watermark(watermarkKey, new WatermarkSettings(gamma, WatermarkSettings.DEFAULT_DELTA, context));
            int[] ids = input != null && input.ids != null ? input.ids : Tokenizers.load(model).encode(readText());
            var detection = watermark.newDetector(countRepeats).detect(ids);
            if (detection.scored() == 0) {
                throw new IllegalArgumentException("the text has " + ids.length + " tokens; scoring one takes at least "
                        + (context + 1) + " (the first " + context + " only seed the green list)");
            }
            print(detection, watermarkKey.id());
            return 0;
        } catch (Exception e) {
            return CommandFailure.report(spec, e);
        }
    }

    private String readText() throws IOException {
        if (input != null && input.text != null) {
            return input.text;
        }
        if (input != null && input.file != null) {
            return Files.readString(input.file, StandardCharsets.UTF_8);
        }
        var console = System.console();
        if (console != null && console.isTerminal()) {
            throw new IllegalArgumentException("no text: give --text, --file or --ids, or pipe the text in");
        }
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private void print(Detection d, String keyId) throws IOException {
        boolean marked = d.watermarked(threshold);
        var out = spec.commandLine().getOut();
        if (json) {
            var object = new LinkedHashMap<String, Object>();
            object.put("verdict", marked ? "watermarked" : "not watermarked");
            object.put("watermarked", marked);
            object.put("z", d.z());
            object.put("threshold", threshold);
            object.put("tokens", d.tokens());
            object.put("scored", d.scored());
            object.put("green", d.green());
            object.put("green_fraction", d.greenFraction());
            object.put("gamma", d.gamma());
            object.put("context", context);
            object.put("repeats_counted", countRepeats);
            object.put("key_id", keyId);
            out.println(new ObjectMapper().writeValueAsString(object));
        } else {
            out.println(String.format(Locale.ROOT, "%s: z = %.2f (threshold %.2f); %d of %d scored tokens green"
                            + " (%.1f %%, %.1f %% expected without the mark); %d tokens, key %s",
                    marked ? "watermarked" : "not watermarked", d.z(), threshold, d.green(), d.scored(),
                    100 * d.greenFraction(), 100 * d.gamma(), d.tokens(), keyId));
        }
        out.flush();
    }
}
