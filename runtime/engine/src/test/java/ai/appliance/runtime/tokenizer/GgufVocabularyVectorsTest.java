package ai.appliance.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's tokenizer test vectors for real vocabularies: {@code *.inp} is every input followed by
 * {@code "\n__ggml_vocab_test__\n"}, {@code *.out} one line of ids per input (as HF encodes it).
 */
class GgufVocabularyVectorsTest {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static List<String> inputs(String inp) {
        var inputs = new ArrayList<String>();
        int start = 0;
        for (int at; (at = inp.indexOf(SEPARATOR, start)) >= 0; start = at + SEPARATOR.length()) {
            inputs.add(inp.substring(start, at));
        }
        return inputs;
    }

    @TestFactory
    Stream<DynamicTest> everyVectorEncodesToTheReferenceIds() throws IOException {
        var tests = new ArrayList<DynamicTest>();
        for (var name : List.of("ggml-vocab-gpt-2.gguf", "ggml-vocab-deepseek-llm.gguf", "ggml-vocab-llama-spm.gguf")) {
            var file = Fixtures.path("vocab/" + name);
            var inputs = inputs(Files.readString(file.resolveSibling(name + ".inp"), StandardCharsets.UTF_8));
            var lines = Files.readString(file.resolveSibling(name + ".out"), StandardCharsets.UTF_8).split("\n", -1);
            // the .out file ends with a newline: one more (empty) element than inputs
            assertEquals(inputs.size() + 1, lines.length, name + ": inputs and outputs differ in count");
            var tokenizer = Tokenizers.load(file);
            for (int i = 0; i < inputs.size(); i++) {
                String text = inputs.get(i);
                String line = lines[i].trim();
                int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
                tests.add(DynamicTest.dynamicTest(name + " #" + i + ": " + ReferenceTokenizationTest.abbreviate(text), () -> {
                    assertArrayEquals(expected, tokenizer.encode(text), () -> "ids of '" + text + "' got "
                            + Arrays.toString(tokenizer.encode(text)));
                    assertEquals(text, tokenizer.decode(expected), "these vocabularies decode losslessly");
                }));
            }
        }
        return tests.stream();
    }
}
