package ai.appliance.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedPagesTest {

    @Test
    void aFileMappingTakesTheHugePageAdviceWhereTheKernelHasHugePagesAndStaysReadable(@TempDir Path dir) throws IOException {
        var file = dir.resolve("weights.bin");
        var bytes = new byte[4 << 20];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
        Files.write(file, bytes);
        // Linux built with transparent huge pages (this sysfs file) takes the advice; elsewhere it is refused.
        boolean hugePages = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && Files.exists(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        try (var arena = Arena.ofConfined(); var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            assertEquals(hugePages, MappedPages.adviseHugePages(mapping));
            assertEquals((byte) 77, mapping.get(ValueLayout.JAVA_BYTE, 77));
            assertEquals((byte) (bytes.length - 1), mapping.get(ValueLayout.JAVA_BYTE, bytes.length - 1));
        }
    }

    @Test
    void heapAndEmptySegmentsAreLeftAlone() {
        assertFalse(MappedPages.adviseHugePages(MemorySegment.ofArray(new byte[4096])));
        assertFalse(MappedPages.adviseHugePages(MemorySegment.ofArray(new byte[0])));
    }
}
