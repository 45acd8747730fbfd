package ai.appliance.runtime.arch.llama;

/**
 * The row order llama.cpp's converter gives Llama q/k projections in GGUF: within each head the
 * Hugging Face rows {@code [first half | second half]} are interleaved so that rotation pairs become
 * adjacent ({@link RopeStyle#ADJACENT}). Row {@code r} of the GGUF tensor is row {@code huggingFaceRow(r)}
 * of the checkpoint's.
 */
public final class QueryKeyPermutation {
    private QueryKeyPermutation() {
    }

    public static int huggingFaceRow(int ggufRow, int headDimension) {
        int head = ggufRow / headDimension;
        int within = ggufRow % headDimension;
        int pair = within / 2;
        int half = within % 2;
        return head * headDimension + half * (headDimension / 2) + pair;
    }
}
