package ai.appliance.sync.chunk;

import ai.appliance.sync.SyncException;

/**
 * FastCDC parameters, recorded in every manifest. Defaults (1/4/16 MiB) are justified in docs/formats.md §3:
 * about 37.5 k objects for a 150 GB model and at most 32 MiB moved beyond an edited region.
 */
public record ChunkingParams(String algorithm, int min, int avg, int max) {
    public static final String FASTCDC = "fastcdc-gear64-nc0";
    public static final ChunkingParams DEFAULT = new ChunkingParams(FASTCDC, 1 << 20, 4 << 20, 16 << 20);

    public ChunkingParams {
        if (!FASTCDC.equals(algorithm)) throw new SyncException.MalformedMetadata("unknown chunking algorithm '" + algorithm + "'");
        if (Integer.bitCount(avg) != 1 || min < 64 || min > avg || avg > max || max > (64 << 20)) {
            throw new SyncException.MalformedMetadata(
                    "chunking sizes must satisfy 64 <= min <= avg <= max <= 64 MiB with avg a power of two; got "
                            + min + "/" + avg + "/" + max);
        }
    }

    public static ChunkingParams of(int min, int avg, int max) {
        return new ChunkingParams(FASTCDC, min, avg, max);
    }
}
