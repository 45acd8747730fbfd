package ai.appliance.runtime.bench;

/**
 * One llama-bench test: {@code pp N} processes an N-token prompt in one forward call; {@code tg N}
 * generates N tokens one forward call each, from an empty sequence. With {@code sequences > 1}
 * (generation only) that many sequences decode side by side, one token each per forward call, as
 * the server's continuous batching does; tokens/s then counts the tokens of all of them.
 */
public record BenchTest(Kind kind, int tokens, int sequences) {
    public enum Kind { PROMPT, GENERATION }

    public BenchTest {
        if (tokens < 1) throw new IllegalArgumentException("a benchmark test needs at least 1 token, got " + tokens);
        if (sequences < 1) throw new IllegalArgumentException("a benchmark test needs at least 1 sequence, got " + sequences);
        if (kind == Kind.PROMPT && sequences != 1) throw new IllegalArgumentException("a prompt test runs one sequence");
    }

    public static BenchTest prompt(int tokens) {
        return new BenchTest(Kind.PROMPT, tokens, 1);
    }

    public static BenchTest generation(int tokens) {
        return new BenchTest(Kind.GENERATION, tokens, 1);
    }

    public static BenchTest generation(int tokens, int sequences) {
        return new BenchTest(Kind.GENERATION, tokens, sequences);
    }

    /** One sequence generating: the test whose tokens/s is bound by reading every weight once per token. */
    public boolean isSingleSequenceDecode() {
        return kind == Kind.GENERATION && sequences == 1;
    }

    /** Tokens computed in one run: what tokens/s counts. */
    public long totalTokens() {
        return (long) tokens * sequences;
    }

    /** "pp512", "tg128", "tg128 x8" (8 sequences): llama-bench's names, with the sequence count when it is not 1. */
    public String label() {
        return (kind == Kind.PROMPT ? "pp" : "tg") + tokens + (sequences > 1 ? " x" + sequences : "");
    }
}
