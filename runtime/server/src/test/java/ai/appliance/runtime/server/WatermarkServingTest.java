package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.models.EngineModel;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.watermark.Detection;
import ai.appliance.runtime.watermark.Watermark;
import ai.appliance.runtime.watermark.WatermarkKey;
import ai.appliance.runtime.watermark.WatermarkSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code watermark.enabled}, the appliance marks what it serves with its key, while the log probabilities it
 * returns stay the model's. REST here; every front end reaches the model through the same {@code EngineModel.start}.
 * The key is fixed (written before start) so that the seeded answers, and so the z-scores, are the same on every run.
 */
class WatermarkServingTest {
    private static final String KEY = "9d".repeat(16) + "4e".repeat(16);
    private static Harness harness;
    private static Tokenizer tokenizer;
    private static Path keyFile;

    @BeforeAll
    static void start() throws Exception {
        var dir = Files.createTempDirectory("appliance-watermark-test");
        keyFile = Files.writeString(dir.resolve("fleet.key"), KEY + "\n", StandardCharsets.US_ASCII);
        harness = Harness.start(dir, Map.of("watermark.enabled", "true", "watermark.key-file", keyFile.toString()));
        tokenizer = ((EngineModel) harness.appliance.server().catalog().route(Harness.MODEL).model()).tokenizer();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    /** The ids of a chat answer, from the exact bytes its logprobs give for every token. */
    private static int[] answerIds(long seed) throws Exception {
        var byBytes = new HashMap<String, Integer>();
        for (int id = 0; id < tokenizer.vocabularySize(); id++) byBytes.putIfAbsent(HexFormat.of().formatHex(tokenizer.tokenBytes(id)), id);
        var res = harness.post("/v1/chat/completions", "{\"temperature\":1,\"top_p\":1,\"seed\":" + seed
                + ",\"max_tokens\":200,\"logprobs\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}]}");
        assertEquals(200, res.statusCode(), res.body());
        var ids = new ArrayList<Integer>();
        for (var entry : Harness.json(res.body()).at("/choices/0/logprobs/content")) {
            var bytes = new java.io.ByteArrayOutputStream();
            for (var b : entry.get("bytes")) bytes.write(b.asInt());
            ids.add(byBytes.get(HexFormat.of().formatHex(bytes.toByteArray())));
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One z-score over several answers: their green and scored counts added up. */
    private static double z(Watermark watermark, List<int[]> answers) {
        int scored = 0;
        int green = 0;
        for (var ids : answers) {
            var d = watermark.newDetector(false).detect(ids);
            scored += d.scored();
            green += d.green();
        }
        double gamma = watermark.settings().gamma();
        return (green - gamma * scored) / Math.sqrt(scored * gamma * (1 - gamma));
    }

    @Test
    void withoutAKeyFileTheApplianceMakesItsOwnOwnerOnlyAndKeepsIt(@TempDir Path dir) {
        var file = dir.resolve("store/watermark.key");
        var config = new ApplianceConfig.Watermarking(true, file, WatermarkSettings.DEFAULTS);
        var made = Appliance.watermark(config);
        assertEquals("rw-------", PosixFilePermissions.toString(assertDoesNotThrow(() -> Files.getPosixFilePermissions(file))));
        assertEquals(made.key().id(), Appliance.watermark(config).key().id(), "a restart keeps the key");
        assertNull(Appliance.watermark(new ApplianceConfig.Watermarking(false, dir.resolve("unused.key"),
                WatermarkSettings.DEFAULTS)), "off: no watermark");
        assertFalse(Files.exists(dir.resolve("unused.key")), "and no key is made");
    }

    @Test
    void answersAreMarkedWithTheConfiguredKey() throws Exception {
        var answers = List.of(answerIds(1), answerIds(2), answerIds(3));
        var own = new Watermark(WatermarkKey.read(keyFile), WatermarkSettings.DEFAULTS);
        double z = z(own, answers);
        var lengths = answers.stream().map(a -> a.length).toList();
        System.out.println("served answers of " + lengths + " tokens: z " + z + " with the configured key");
        assertTrue(z > Detection.DEFAULT_THRESHOLD, "z " + z + " over answers of " + lengths + " tokens");
        var other = new Watermark(WatermarkKey.fromHex("77".repeat(32)), WatermarkSettings.DEFAULTS);
        assertTrue(Math.abs(z(other, answers)) < 3, "another key finds no mark");
    }

    @Test
    void logprobsOfAMarkedAnswerAreTheModelsOwn() throws Exception {
        var text = "Once upon a time";
        var prompt = tokenizer.encode(text, false);
        var engine = harness.appliance.server().catalog().route(Harness.MODEL).model().engine();
        float[] logits;
        try (var sequence = engine.newSequence(prompt.length + 1)) {
            logits = engine.forward(List.of(sequence), List.of(prompt))[0].clone();
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double logSum = max + Math.log(sum);
        var res = harness.post("/v1/completions", "{\"prompt\":\"" + text + "\",\"max_tokens\":1,\"temperature\":1,"
                + "\"seed\":4,\"logprobs\":5}");
        assertEquals(200, res.statusCode(), res.body());
        var top = Harness.json(res.body()).at("/choices/0/logprobs/top_logprobs/0");
        assertTrue(top.size() >= 5, top.toString());
        top.properties().forEach(e -> {
            var ids = tokenizer.encode(e.getKey(), false);
            if (ids.length == 1) {
                assertEquals(logits[ids[0]] - logSum, e.getValue().asDouble(), 1e-4,
                        "log-softmax of the raw logits, not of the marked ones, for " + e.getKey());
            }
        });
    }

    @Test
    void aDamagedKeyFileStopsStartUpNamingTheFile(@TempDir Path dir) throws Exception {
        var bad = Files.writeString(dir.resolve("watermark.key"), "not a key\n", StandardCharsets.US_ASCII);
        var e = assertThrows(IllegalArgumentException.class, () -> Harness.start(dir,
                Map.of("watermark.enabled", "true", "watermark.key-file", bad.toString())));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("keygen"), e.getMessage());
    }
}
