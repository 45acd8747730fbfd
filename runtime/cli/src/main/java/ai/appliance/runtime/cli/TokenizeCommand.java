package ai.appliance.runtime.cli;

import ai.appliance.runtime.tokenizer.Tokenizers;
import ai.appliance.runtime.tokenizer.TokenizerException;
import ai.appliance.runtime.model.ModelFormatException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance tokenize}: prints {"ids":[...]} for a text, with the model's own tokenizer. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Encode text with a model's tokenizer (no BOS added) and print {\"ids\":[...]}.")
public final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file or Hugging Face checkpoint folder.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "T", description = "Text to encode.")
        String text;

        @Option(names = "--file", paramLabel = "F", description = "UTF-8 file whose whole content is encoded.")
        Path file;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            String text = input.text != null ? input.text : Files.readString(input.file, StandardCharsets.UTF_8);
            int[] ids = Tokenizers.load(model).encode(text);
            var out = spec.commandLine().getOut();
            out.println(new ObjectMapper().writeValueAsString(Map.of("ids", ids)));
            out.flush();
            return 0;
        } catch (ModelFormatException | TokenizerException e) {
            err.println("error: " + e.getMessage());
        } catch (IOException e) {
            err.println("error: cannot read " + input.file + ": " + e.getMessage());
        }
        err.flush();
        return 1;
    }
}
