package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatermarkCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int status = cli.execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    private Path keygen(String name) {
        var key = dir.resolve(name);
        var made = run("watermark", "keygen", "--out", key.toString());
        assertEquals(0, made.status(), made.err());
        return key;
    }

    /** {@code run --json} on the fixture Qwen2 at temperature 1, seeded, optionally marked. */
    private static JsonNode generate(long seed, Path key) throws Exception {
        var args = new ArrayList<>(List.of("run", "--model", Fixtures.model("tiny-qwen2").toString(), "--prompt",
                "Tell me a story", "--raw", "--temperature", "1", "--top-p", "1", "--seed", Long.toString(seed),
                "--max-tokens", "200", "--json", "--threads", "2"));
        if (key != null) args.addAll(List.of("--watermark-key-file", key.toString()));
        var outcome = run(args.toArray(String[]::new));
        assertEquals(0, outcome.status(), outcome.err());
        return JSON.readTree(outcome.out());
    }

    private static String ids(JsonNode generated) {
        return StreamSupport.stream(generated.get("ids").spliterator(), false).map(JsonNode::asText)
                .collect(Collectors.joining(","));
    }

    private static JsonNode detect(Path key, String... input) throws Exception {
        var args = new ArrayList<>(List.of("watermark", "detect", "--key-file", key.toString(), "--model",
                Fixtures.model("tiny-qwen2").toString(), "--json"));
        args.addAll(List.of(input));
        var outcome = run(args.toArray(String[]::new));
        assertEquals(0, outcome.status(), outcome.err());
        return JSON.readTree(outcome.out());
    }

    @Test
    void keygenWritesAnOwnerOnlyKeyWithoutPrintingItAndReplacesOneOnlyWithForce() throws Exception {
        var key = dir.resolve("fleet/watermark.key");
        var made = run("watermark", "keygen", "--out", key.toString());
        assertEquals(0, made.status(), made.err());
        var hex = Files.readString(key, StandardCharsets.US_ASCII).strip();
        assertEquals(64, hex.length());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertFalse(made.out().contains(hex.substring(0, 16)), "the key itself is never printed: " + made.out());
        var again = run("watermark", "keygen", "--out", key.toString());
        assertEquals(1, again.status());
        assertTrue(again.err().contains("--force"), again.err());
        assertEquals(hex, Files.readString(key, StandardCharsets.US_ASCII).strip());
        var forced = run("watermark", "keygen", "--out", key.toString(), "--force");
        assertEquals(0, forced.status(), forced.err());
        assertNotEquals(hex, Files.readString(key, StandardCharsets.US_ASCII).strip());
    }

    /**
     * A key file with given contents: the commands are checked on one fixed generation, so the outcome does not
     * depend on a random key (the detection rates over many keys and seeds are {@code WatermarkDetectionTest}'s).
     */
    private Path fixedKey(String name, int first) throws Exception {
        var hex = new StringBuilder();
        for (int i = 0; i < 32; i++) hex.append(String.format("%02x", (first + i) & 0xff));
        return Files.writeString(dir.resolve(name), hex + "\n", StandardCharsets.US_ASCII);
    }

    @Test
    void detectFindsTheMarkOfRunsKeyInTheIdsItPrintedAndNotInUnmarkedOutput() throws Exception {
        var key = fixedKey("watermark.key", 0);
        var marked = generate(5, key);
        var found = detect(key, "--ids", ids(marked));
        assertEquals("watermarked", found.get("verdict").asText(), found.toString());
        assertTrue(found.get("z").asDouble() > 4, found.toString());
        assertEquals(found.get("tokens").asInt() - 1, found.get("scored").asInt() + repeats(marked), found.toString());
        var other = detect(fixedKey("other.key", 0x80), "--ids", ids(marked));
        assertEquals("not watermarked", other.get("verdict").asText(), "another key: " + other);
        var plain = detect(key, "--ids", ids(generate(5, null)));
        assertEquals("not watermarked", plain.get("verdict").asText(), plain.toString());
        assertTrue(plain.get("z").asDouble() < 2, plain.toString());
    }

    /** Pairs of consecutive ids that occurred before, which detection scores once. */
    private static int repeats(JsonNode generated) {
        var ids = new ArrayList<Integer>();
        generated.get("ids").forEach(id -> ids.add(id.asInt()));
        var seen = new java.util.HashSet<List<Integer>>();
        int repeated = 0;
        for (int i = 1; i < ids.size(); i++) if (!seen.add(List.of(ids.get(i - 1), ids.get(i)))) repeated++;
        return repeated;
    }

    @Test
    void detectReadsTextFromAFileAndPrintsOneLineWithTheVerdict() throws Exception {
        var key = fixedKey("watermark.key", 0);
        var text = Files.writeString(dir.resolve("answer.txt"), generate(8, null).get("text").asText());
        var line = run("watermark", "detect", "--key-file", key.toString(), "--model",
                Fixtures.model("tiny-qwen2").toString(), "--file", text.toString());
        assertEquals(0, line.status(), line.err());
        assertTrue(line.out().startsWith("not watermarked: z = "), line.out());
        var json = detect(key, "--file", text.toString());
        assertTrue(line.out().contains(String.format(java.util.Locale.ROOT, "z = %.2f", json.get("z").asDouble())),
                line.out() + " against " + json);
        assertTrue(line.out().contains(json.get("key_id").asText()), line.out());
    }

    @Test
    void aMissingKeyOrATextTooShortToScoreIsOneLineSayingWhatToDo() throws Exception {
        var missing = run("watermark", "detect", "--key-file", dir.resolve("none.key").toString(), "--model",
                Fixtures.model("tiny-qwen2").toString(), "--text", "hello there");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("watermark keygen") && missing.err().lines().count() == 1, missing.err());
        var tooShort = run("watermark", "detect", "--key", "ab".repeat(32), "--model",
                Fixtures.model("tiny-qwen2").toString(), "--ids", "17");
        assertEquals(1, tooShort.status());
        assertTrue(tooShort.err().contains("at least 2"), tooShort.err());
    }
}
