package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.model.ModelFormatException;
import java.nio.file.Path;

/** Consistency rules every {@link LlamaConfig} must meet, whichever file it came from. */
final class LlamaConfigChecks {
    /** Far above any real model; a larger value is corruption and would make the engine allocate absurdly. */
    static final int MAX_DIMENSION = 1 << 20;
    static final int MAX_LAYERS = 1024;

    private LlamaConfigChecks() {
    }

    static void validate(Path file, LlamaConfig c) {
        check(file, c.vocabularySize() > 0 && c.vocabularySize() <= 16 * MAX_DIMENSION, "vocabulary size " + c.vocabularySize());
        check(file, c.embeddingLength() > 0 && c.embeddingLength() <= MAX_DIMENSION, "embedding length " + c.embeddingLength());
        check(file, c.feedForwardLength() > 0 && c.feedForwardLength() <= MAX_DIMENSION, "feed-forward length " + c.feedForwardLength());
        check(file, c.layerCount() > 0 && c.layerCount() <= MAX_LAYERS, "layer count " + c.layerCount());
        check(file, c.headCount() > 0 && c.headCount() <= c.embeddingLength(), "head count " + c.headCount());
        check(file, c.keyValueHeadCount() > 0 && c.headCount() % c.keyValueHeadCount() == 0,
                "key/value head count " + c.keyValueHeadCount() + " (must divide the head count " + c.headCount() + ")");
        check(file, c.headDimension() > 0 && c.headDimension() % 2 == 0 && c.headDimension() <= MAX_DIMENSION,
                "head dimension " + c.headDimension() + " (must be even)");
        check(file, c.rmsNormEpsilon() > 0 && Float.isFinite(c.rmsNormEpsilon()), "RMS norm epsilon " + c.rmsNormEpsilon());
        check(file, c.ropeTheta() > 0 && Double.isFinite(c.ropeTheta()), "RoPE theta " + c.ropeTheta());
        check(file, c.contextLength() > 0, "context length " + c.contextLength());
        var factors = c.ropeFrequencyFactors();
        check(file, factors == null || factors.length == c.headDimension() / 2,
                "rope_freqs holds " + (factors == null ? 0 : factors.length) + " values, expected head dimension / 2 = " + c.headDimension() / 2);
    }

    private static void check(Path file, boolean ok, String what) {
        if (!ok) throw new ModelFormatException(file, "invalid model hyper-parameter: " + what);
    }
}
