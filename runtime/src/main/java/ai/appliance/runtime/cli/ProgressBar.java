package ai.appliance.runtime.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long-running commands: redrawn in place with a carriage
 * return, at most a few times per second, and finished with a newline.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long started = System.nanoTime();
    private long lastDraw;

    public ProgressBar(PrintStream out, String label, long totalBytes) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, totalBytes);
    }

    /** Reports {@code done} bytes; cheap enough to call for every buffer flush. */
    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && done < total) return;
        lastDraw = now;
        draw(done, now);
    }

    public void finish() {
        draw(total, System.nanoTime());
        out.println();
        out.flush();
    }

    private void draw(long done, long now) {
        double fraction = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = (now - started) / 1e9;
        double mib = done / 1048576.0;
        out.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %,.0f/%,.0f MiB %.1fs %.0f MiB/s", label,
                "#".repeat(filled), ".".repeat(WIDTH - filled), Math.round(fraction * 100), mib, total / 1048576.0,
                seconds, seconds > 0 ? mib / seconds : 0.0));
        out.flush();
    }
}
