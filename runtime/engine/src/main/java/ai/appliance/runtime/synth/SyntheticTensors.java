package ai.appliance.runtime.synth;

/**
 * Where an architecture lists the tensors of a synthetic model: synth fills each with seeded random values of the
 * chosen type (matrices) or F32 (vectors), in the order they are added. Shapes are row-major, outermost first.
 */
public interface SyntheticTensors {

    /** The matrix type a file of this synth run is written in (what {@link #matrix} uses when the rows allow it). */
    ai.appliance.runtime.tensor.GgmlType matrixType();

    /**
     * A weight matrix (2-D) or a stack of them (3-D: experts outermost), random with the weight standard deviation.
     * A row length the matrix type's blocks do not divide falls back to Q4_0 (llama.cpp falls back likewise).
     */
    void matrix(String name, long... shape);

    /** An F32 matrix of small random values (a router, which llama.cpp's converter keeps in F32). */
    void floatMatrix(String name, long... shape);

    /** An F32 vector of small random values (biases). */
    void vector(String name, long length);

    /** An F32 vector of ones (norm weights). */
    void ones(String name, long length);

    /** An F32 vector with exactly these values (e.g. RoPE frequency factors). */
    void values(String name, float[] values);

    /** Parameters added so far. */
    long parameters();
}
