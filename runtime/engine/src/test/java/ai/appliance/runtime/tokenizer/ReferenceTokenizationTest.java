package ai.appliance.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every {@code tokenizer_cases} entry of both fixtures, through tokenizer.json and through each model's GGUF. */
class ReferenceTokenizationTest {

    static JsonNode reference(String model) throws IOException {
        return new ObjectMapper().readTree(Fixtures.model(model).resolve("reference.json").toFile());
    }

    @TestFactory
    Stream<DynamicTest> tokenizerCasesMatchTransformers() throws IOException {
        var tests = new ArrayList<DynamicTest>();
        for (var model : List.of("tiny-qwen2", "tiny-llama3", "tiny-deepseek-v3", "tiny-deepseek-v2-lite", "tiny-deepseek-v3-fp8")) {
            var cases = reference(model).get("tokenizer_cases");
            // The checkpoint's tokenizer.json and the vocabulary llama.cpp's converter wrote into the GGUF (F32 where the
            // fixture has one, else F16; the FP8 checkpoint has no GGUF).
            var sources = new ArrayList<Path>(List.of(Fixtures.model(model)));
            for (var gguf : List.of(model + "-f32.gguf", model + "-f16.gguf")) {
                if (java.nio.file.Files.isRegularFile(Fixtures.model(model).resolve(gguf))) {
                    sources.add(Fixtures.model(model).resolve(gguf));
                    break;
                }
            }
            for (Path source : sources) {
                var tokenizer = Tokenizers.load(source);
                for (var c : cases) {
                    String text = c.get("text").asText();
                    int[] expected = ids(c.get("ids"));
                    tests.add(DynamicTest.dynamicTest(source.getFileName() + ": " + abbreviate(text), () -> {
                        assertArrayEquals(expected, tokenizer.encode(text), "ids of " + text);
                        assertEquals(c.get("decoded").asText(), tokenizer.decode(expected), "decoded " + text);
                    }));
                }
            }
        }
        return tests.stream();
    }

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = array.get(i).asInt();
        return ids;
    }

    static String abbreviate(String text) {
        var s = text.replace("\n", "\\n").replace("\t", "\\t");
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
