package ai.appliance.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    private String printed() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void workThatEndsBeforeTheFirstRedrawPrintsNothing() {
        try (var bar = ProgressBar.bytes(out, "copy", 100)) {
            bar.update(100);
        }
        assertEquals("", printed());
    }

    @Test
    void longWorkRedrawsInPlaceAndEndsTheLineWithTheFinalState() throws InterruptedException {
        var bar = ProgressBar.bytes(out, "copy", 4L << 20);
        Thread.sleep(250);
        bar.update(1L << 20);
        bar.update(4L << 20);
        bar.close();
        var text = printed();
        assertTrue(text.startsWith("\rcopy ["), text);
        assertTrue(text.contains(" 25% 1.0 MiB/4.0 MiB"), text);
        assertTrue(text.endsWith(System.lineSeparator()), text);
        var last = text.substring(text.lastIndexOf('\r'));
        assertTrue(last.contains("100% 4.0 MiB/4.0 MiB"), last);
    }

    @Test
    void offATerminalTheBarIsWrittenAsWholeLinesWithoutCarriageReturns() throws InterruptedException {
        var writer = new PrintWriter(out, true, StandardCharsets.UTF_8);
        var bar = new ProgressBar(writer, false, 100_000_000L, "sync", 4L << 20, null);
        Thread.sleep(150);
        bar.update(1L << 20);
        bar.update(2L << 20); // within the interval: no second line yet
        bar.update(4L << 20);
        bar.close();
        var lines = printed().split("\\R");
        assertEquals(2, lines.length, printed());
        assertTrue(lines[0].startsWith("sync [") && lines[0].contains(" 25% 1.0 MiB/4.0 MiB"), lines[0]);
        assertTrue(lines[1].contains("100% 4.0 MiB/4.0 MiB"), lines[1]);
        assertTrue(printed().indexOf('\r') < 0, printed());
    }

    @Test
    void countBarsShowTheUnitAndProgressNeverGoesBackwards() throws InterruptedException {
        var bar = ProgressBar.count(out, "8 streams", 512, "tokens");
        Thread.sleep(250);
        bar.update(300);
        Thread.sleep(250);
        bar.update(200); // a late report from another thread
        bar.close();
        var last = printed().substring(printed().lastIndexOf('\r'));
        assertTrue(last.contains("300/512 tokens"), last);
    }

    @Test
    void theTotalCanBeLearntAlongTheWay() throws InterruptedException {
        var bar = ProgressBar.bytes(out, "download", 0);
        Thread.sleep(250);
        bar.update(512, 1024);
        bar.close();
        assertTrue(printed().contains(" 50% 512 B/1.0 KiB"), printed());
    }

    @Test
    void percentBarsShowOnlyTheFractionAndTheTime() throws InterruptedException {
        var bar = ProgressBar.percent(out, "sync");
        Thread.sleep(250);
        bar.update(42);
        bar.close();
        var last = printed().substring(printed().lastIndexOf('\r'));
        assertTrue(last.matches("\\rsync \\[[#.]{30}\\]  42% \\d+\\.\\ds\\R"), last);
    }

    @Test
    void humanBytesUseBinaryUnits() {
        assertEquals("0 B", ProgressBar.human(0));
        assertEquals("1023 B", ProgressBar.human(1023));
        assertEquals("1.5 KiB", ProgressBar.human(1536));
        assertEquals("1.8 GiB", ProgressBar.human(1_932_735_283L));
    }
}
