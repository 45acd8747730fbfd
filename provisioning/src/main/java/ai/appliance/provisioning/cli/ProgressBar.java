package ai.appliance.provisioning.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;

/** A one-line progress bar on stderr for long byte-counting work; redraws at most every 200 ms. Thread-safe. */
final class ProgressBar implements LongConsumer, AutoCloseable {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private final long total;
    private long lastDraw;
    private long done;

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
    }

    @Override
    public synchronized void accept(long bytesDone) {
        done = Math.max(done, bytesDone);
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) return;
        lastDraw = now;
        draw();
    }

    private void draw() {
        int filled = (int) (WIDTH * Math.min(1.0, done / (double) total));
        out.printf(Locale.ROOT, "\r%s [%s%s] %3d%% %.2f/%.2f GB", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
                (int) (100 * Math.min(1.0, done / (double) total)), done / 1e9, total / 1e9);
        out.flush();
    }

    @Override
    public synchronized void close() {
        draw();
        out.println();
    }
}
