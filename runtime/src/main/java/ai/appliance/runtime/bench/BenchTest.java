package ai.appliance.runtime.bench;

/**
 * One llama-bench test: {@code pp N} processes an N-token prompt in one forward call; {@code tg N}
 * generates N tokens one forward call each, from an empty sequence.
 */
public record BenchTest(Kind kind, int tokens) {
    public enum Kind { PROMPT, GENERATION }

    public BenchTest {
        if (tokens < 1) throw new IllegalArgumentException("a benchmark test needs at least 1 token, got " + tokens);
    }

    public static BenchTest prompt(int tokens) {
        return new BenchTest(Kind.PROMPT, tokens);
    }

    public static BenchTest generation(int tokens) {
        return new BenchTest(Kind.GENERATION, tokens);
    }

    /** "pp512", "tg128": the names llama-bench prints. */
    public String label() {
        return (kind == Kind.PROMPT ? "pp" : "tg") + tokens;
    }
}
