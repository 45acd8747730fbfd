package ai.appliance.runtime.bench;

import ai.appliance.runtime.arch.llama.LlamaWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.testing.Fixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DecodeReadsTest {

    @Test
    void aDecodeStepReadsEveryWeightOnceButOnlyOneRowOfTheEmbeddingTable() throws Exception {
        try (var files = ModelFiles.open(Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf"))) {
            var w = (LlamaWeights) files.weights();
            assertTrue(w.output() != w.tokenEmbedding(), "the fixture has an untied output projection");
            long all = BenchReport.tensors(w).stream().mapToLong(t -> t.data().byteSize()).sum();
            long table = w.tokenEmbedding().data().byteSize();
            var reads = DecodeReads.of(w);
            assertEquals(all - table + table / w.tokenEmbedding().rowCount(), reads.bytesPerToken());
            assertEquals(BenchReport.tensors(w).size() - 1, reads.regions().size());
        }
    }

    @ParameterizedTest
    @EnumSource(ReadBandwidth.Walk.class)
    void theBandwidthProbeReadsEveryByteOfItsRangeAndNoneOutside(ReadBandwidth.Walk walk) {
        try (var arena = Arena.ofConfined()) {
            var r = arena.allocate(1000);
            long from = 3, to = 997; // unaligned at both ends: vector loop, then single bytes
            for (long marked = 0; marked < 1000; marked++) {
                r.fill((byte) 0);
                r.set(ValueLayout.JAVA_BYTE, marked, (byte) 0x5a);
                boolean inside = marked >= from && marked < to;
                assertEquals(inside, ReadBandwidth.checksum(r, from, to, walk) != 0, walk + ", byte " + marked);
            }
        }
    }

    @Test
    void everyBandwidthPassIsAPositiveRate() {
        try (var arena = Arena.ofConfined()) {
            var r = arena.allocate(8L << 20);
            var passes = ReadBandwidth.passes(List.of(r, r.asSlice(0, 12345)), 2);
            for (var walk : List.of(passes.fourStreams(), passes.oneStream())) {
                assertEquals(3, walk.length);
                for (double p : walk) assertTrue(p > 0 && Double.isFinite(p), java.util.Arrays.toString(walk));
            }
        }
    }
}
