package ai.appliance.sync.chunk;

import ai.appliance.sync.util.Sha256;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FastCdcTest {
    private static final ChunkingParams P = ChunkingParams.of(16 << 10, 64 << 10, 256 << 10);

    private static List<String> chunks(byte[] data) throws Exception {
        var out = new ArrayList<String>();
        new FastCdc(P).split(Channels.newChannel(new ByteArrayInputStream(data)), (b, o, l) -> {
            assertTrue(l <= P.max(), "chunk longer than max");
            out.add(Sha256.hex(b, o, l));
        });
        return out;
    }

    @Test
    void boundariesRespectMinAndMaxAndCoverEveryByte() throws Exception {
        var data = new byte[3 << 20];
        new Random(1).nextBytes(data);
        var sizes = new ArrayList<Integer>();
        new FastCdc(P).split(Channels.newChannel(new ByteArrayInputStream(data)), (b, o, l) -> sizes.add(l));
        assertEquals(data.length, sizes.stream().mapToLong(Integer::longValue).sum());
        for (int i = 0; i < sizes.size() - 1; i++) assertTrue(sizes.get(i) >= P.min(), "chunk " + i + " shorter than min");
        double mean = (double) data.length / sizes.size();
        assertTrue(mean > P.min() + P.avg() * 0.5 && mean < P.min() + P.avg() * 1.5, "mean chunk " + mean);
    }

    @Test
    void insertingBytesAtTheFrontChangesOnlyTheChunksAroundTheEdit() throws Exception {
        var data = new byte[4 << 20];
        new Random(2).nextBytes(data);
        var shifted = new byte[data.length + 1000];
        new Random(3).nextBytes(shifted);
        System.arraycopy(data, 0, shifted, 1000, data.length);
        var before = chunks(data);
        var after = chunks(shifted);
        var old = new HashSet<>(before);
        long fresh = after.stream().filter(c -> !old.contains(c)).count();
        assertTrue(fresh <= 2, "an insertion at the front re-chunked " + fresh + " of " + after.size() + " chunks");
    }

    @Test
    void chunkingIsDeterministic() throws Exception {
        var data = new byte[1 << 20];
        new Random(4).nextBytes(data);
        assertEquals(chunks(data), chunks(data.clone()));
    }

    @Test
    void rejectsParametersOutsideTheFormat() {
        assertThrows(ai.appliance.sync.SyncException.MalformedMetadata.class, () -> ChunkingParams.of(1 << 20, 3 << 20, 16 << 20));
        assertThrows(ai.appliance.sync.SyncException.MalformedMetadata.class, () -> ChunkingParams.of(8 << 20, 4 << 20, 16 << 20));
    }
}
