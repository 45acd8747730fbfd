package ai.appliance.runtime.tensor;

/**
 * Per-block scales of a weight matrix quantized in blocks of {@code rowBlock × columnBlock}
 * elements (DeepSeek's FP8 {@code weight_scale_inv}): element (r, c) of the matrix is its stored
 * value times {@code values[(r / rowBlock) · blockColumns + c / columnBlock]}. Blocks are counted
 * from row and column 0; the last block row and column may be partial, so {@code blockRows} =
 * ceil(rows / rowBlock) and {@code blockColumns} = ceil(columns / columnBlock).
 *
 * <p>The block size is the checkpoint's ({@code quantization_config.weight_block_size}), never derived
 * from the shape of the scales: with partial blocks the two disagree.
 */
public record BlockScales(int rowBlock, int columnBlock, int blockRows, int blockColumns, float[] values) {

    public BlockScales {
        if (rowBlock <= 0 || columnBlock <= 0) {
            throw new IllegalArgumentException("block size must be positive, got " + rowBlock + "x" + columnBlock);
        }
        if (blockRows <= 0 || blockColumns <= 0 || (long) blockRows * blockColumns != values.length) {
            throw new IllegalArgumentException(blockRows + "x" + blockColumns + " block scales need as many values, got " + values.length);
        }
    }

    /** Blocks of {@code block} covering {@code length} elements: the last one may be partial. */
    public static long blocksFor(long length, int block) {
        return (length + block - 1) / block;
    }

    /** Whether these scales cover a matrix of {@code rows × columns} exactly (no block missing or extra). */
    public boolean fits(long rows, long columns) {
        return blockRows == blocksFor(rows, rowBlock) && blockColumns == blocksFor(columns, columnBlock);
    }

    /** Index in {@link #values} of the first scale of matrix row {@code row} (its block row's column block 0). */
    public int rowOffset(long row) {
        return (int) (row / rowBlock) * blockColumns;
    }

    /** The scale of matrix element (row, column). */
    public float scale(long row, long column) {
        return values[rowOffset(row) + (int) (column / columnBlock)];
    }
}
