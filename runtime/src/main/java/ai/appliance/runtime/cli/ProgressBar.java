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
    private final String unit; // null: bytes, shown in MiB
    private final long started = System.nanoTime();
    private long lastDraw;

    /** A bar over {@code totalBytes} bytes, shown in MiB and MiB/s. */
    public ProgressBar(PrintStream out, String label, long totalBytes) {
        this(out, label, totalBytes, null);
    }

    /** A bar over {@code total} items of {@code unit} (e.g. "tokens"), shown as counts and a rate. */
    public ProgressBar(PrintStream out, String label, long total, String unit) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.unit = unit;
    }

    /** Reports {@code done} bytes or items; cheap enough to call for every buffer flush. */
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
        var bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        int percent = (int) Math.round(fraction * 100);
        if (unit == null) {
            double mib = done / 1048576.0;
            out.print(String.format(Locale.ROOT, "\r%s [%s] %3d%% %,.0f/%,.0f MiB %.1fs %.0f MiB/s", label, bar, percent,
                    mib, total / 1048576.0, seconds, seconds > 0 ? mib / seconds : 0.0));
        } else {
            out.print(String.format(Locale.ROOT, "\r%s [%s] %3d%% %d/%d %s %.1fs %.1f %s/s", label, bar, percent,
                    done, total, unit, seconds, seconds > 0 ? done / seconds : 0.0, unit));
        }
        out.flush();
    }
}
