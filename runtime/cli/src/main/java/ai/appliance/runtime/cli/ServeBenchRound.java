package ai.appliance.runtime.cli;

import java.util.Arrays;
import java.util.List;

/**
 * One round of {@code bench-serve}: N streaming requests started together. End-to-end tokens/s
 * includes every prompt's prefill; the decode rate counts only the phase batching speeds up.
 *
 * @param seconds wall time from the first request sent to the last stream closed
 */
record ServeBenchRound(List<Stream> streams, double seconds) {

    /**
     * One request's timeline, in seconds from the start of the round.
     *
     * @param tokens       generated tokens (the server's usage count)
     * @param promptTokens prompt tokens after the chat template (the server's usage count)
     * @param cachedPromptTokens prompt tokens the server took from its prefix cache
     * @param firstToken   when the first generated text arrived
     * @param end          when the stream closed
     */
    record Stream(long tokens, long promptTokens, long cachedPromptTokens, double firstToken, double end) {
    }

    long tokens() {
        return streams.stream().mapToLong(Stream::tokens).sum();
    }

    /** Generated tokens of all streams ÷ wall time: what clients see, prefill included. */
    double endToEndRate() {
        return tokens() / seconds;
    }

    double meanTimeToFirstToken() {
        return streams.stream().mapToDouble(Stream::firstToken).average().orElse(Double.NaN);
    }

    /**
     * Σ over streams of (tokens after the first) ÷ (time from first to last token): the aggregate rate
     * while the streams decode side by side, which continuous batching raises; prefill excluded.
     */
    double decodeRate() {
        double rate = 0;
        for (var s : streams) {
            if (s.tokens() > 1 && s.end() > s.firstToken()) rate += (s.tokens() - 1) / (s.end() - s.firstToken());
        }
        return rate;
    }

    double meanCachedPromptTokens() {
        return streams.stream().mapToLong(Stream::cachedPromptTokens).average().orElse(0);
    }

    long promptTokens() {
        return streams.isEmpty() ? 0 : streams.getFirst().promptTokens();
    }

    /**
     * Repeated rounds of one stream count, reduced to medians: a median of three ignores one round
     * that a busy neighbour on a shared host slowed down, where a mean would not.
     */
    record Median(long tokens, double seconds, double endToEndRate, double meanTimeToFirstToken, double decodeRate,
                  double meanCachedPromptTokens) {

        static Median of(List<ServeBenchRound> rounds) {
            if (rounds.isEmpty()) throw new IllegalArgumentException("no rounds to summarize");
            return new Median(
                    Math.round(median(rounds.stream().mapToDouble(r -> r.tokens()).toArray())),
                    median(rounds.stream().mapToDouble(ServeBenchRound::seconds).toArray()),
                    median(rounds.stream().mapToDouble(ServeBenchRound::endToEndRate).toArray()),
                    median(rounds.stream().mapToDouble(ServeBenchRound::meanTimeToFirstToken).toArray()),
                    median(rounds.stream().mapToDouble(ServeBenchRound::decodeRate).toArray()),
                    median(rounds.stream().mapToDouble(ServeBenchRound::meanCachedPromptTokens).toArray()));
        }

        private static double median(double[] values) {
            var sorted = values.clone();
            Arrays.sort(sorted);
            int mid = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}
