package ai.appliance.runtime.arch;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.tensor.Tensor;

/**
 * The last step every decoder shares: final RMS norm and output projection, computed only for the tokens that end
 * their sequence's part of a forward call, written to each such sequence's logits buffer.
 */
public final class OutputHead {
    private final Backend backend;
    private final float[] norm;
    private final float epsilon;
    private final Tensor output;
    private final int hidden;
    private final int vocabulary;
    private float[] finalRows = new float[0];
    private float[] logitRows = new float[0];

    public OutputHead(Backend backend, float[] norm, float epsilon, Tensor output, int hidden, int vocabulary) {
        this.backend = backend;
        this.norm = norm;
        this.epsilon = epsilon;
        this.output = output;
        this.hidden = hidden;
        this.vocabulary = vocabulary;
    }

    /** For each t &lt; n with {@code emits[t]}: logits of row t of {@code x} (rows of {@code hidden}) into {@code sequences[t]}. */
    public void emit(float[] x, int n, boolean[] emits, CachedSequence[] sequences) {
        int rows = 0;
        for (int t = 0; t < n; t++) if (emits[t]) rows++;
        if (rows == 0) return;
        if (finalRows.length < rows * hidden) finalRows = new float[rows * hidden];
        if (logitRows.length < rows * vocabulary) logitRows = new float[rows * vocabulary];
        int row = 0;
        for (int t = 0; t < n; t++) {
            if (emits[t]) System.arraycopy(x, t * hidden, finalRows, row++ * hidden, hidden);
        }
        backend.rmsNorm(finalRows, rows, hidden, norm, epsilon, finalRows);
        backend.matmul(output, finalRows, rows, logitRows);
        row = 0;
        for (int t = 0; t < n; t++) {
            if (emits[t]) System.arraycopy(logitRows, row++ * vocabulary, sequences[t].logits(), 0, vocabulary);
        }
    }
}
