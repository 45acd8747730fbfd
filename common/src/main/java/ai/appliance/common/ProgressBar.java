package ai.appliance.common;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The one-line progress bar every long command draws on stderr: redrawn in place with a carriage return
 * at most five times a second, so callers may report after every buffer. Where stderr is not a terminal
 * (a log file, journald, CI) carriage returns would pile up as one endless line, so the bar is written
 * as a whole line every {@link #LOG_LINE_NANOS} instead. Bytes are shown in binary units
 * with a rate ({@link #bytes}); other work as counts of a unit ({@link #count}, e.g. tokens). A bar that
 * finishes before its first redraw prints nothing. Thread-safe: workers may report concurrently; progress
 * never goes backwards.
 */
public final class ProgressBar implements LongConsumer, AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long LOG_LINE_NANOS = 10_000_000_000L;

    private final PrintWriter out;
    private final String label;
    private final String unit; // null: bytes; PERCENT: a fraction of work without a natural unit
    private final boolean inPlace;
    private final long redrawNanos;
    private final long started = System.nanoTime();
    private long total;
    private long done;
    private long lastDraw = started;
    private boolean drawn;
    private boolean closed;

    private ProgressBar(PrintWriter out, boolean inPlace, String label, long total, String unit) {
        this(out, inPlace, inPlace ? REDRAW_NANOS : LOG_LINE_NANOS, label, total, unit);
    }

    /** {@code inPlace}: redraw one line with carriage returns; else write a line every {@code redrawNanos}. */
    ProgressBar(PrintWriter out, boolean inPlace, long redrawNanos, String label, long total, String unit) {
        this.out = out;
        this.inPlace = inPlace;
        this.redrawNanos = redrawNanos;
        this.label = label;
        this.total = Math.max(0, total);
        this.unit = unit;
    }

    /** A bar over {@code totalBytes} bytes (0 if not known yet: {@link #update(long, long)} can set it). */
    public static ProgressBar bytes(PrintStream out, String label, long totalBytes) {
        return new ProgressBar(writer(out), inPlace(out), label, totalBytes, null);
    }

    /** A bar on a writer, which commands get from their CLI: in production that is stderr. */
    public static ProgressBar bytes(PrintWriter out, String label, long totalBytes) {
        return new ProgressBar(out, StderrTerminal.IS_TERMINAL, label, totalBytes, null);
    }

    /** A bar over {@code total} items of {@code unit}, e.g. 512 "tokens". */
    public static ProgressBar count(PrintStream out, String label, long total, String unit) {
        return new ProgressBar(writer(out), inPlace(out), label, total, unit);
    }

    public static ProgressBar count(PrintWriter out, String label, long total, String unit) {
        return new ProgressBar(out, StderrTerminal.IS_TERMINAL, label, total, unit);
    }

    /** A bar over work known only as a fraction done: report 0..100 with {@link #update(long)}. */
    public static ProgressBar percent(PrintStream out, String label) {
        return new ProgressBar(writer(out), inPlace(out), label, 100, PERCENT);
    }

    private static final String PERCENT = "%";

    /** In place on any stream but a stderr that is not a terminal. */
    private static boolean inPlace(PrintStream out) {
        return out != System.err || StderrTerminal.IS_TERMINAL;
    }

    /** Whether this process's stderr is a terminal, looked up once. */
    private static final class StderrTerminal {
        static final boolean IS_TERMINAL = detect();

        private static boolean detect() {
            try {
                var target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                var console = System.console(); // no /proc: stdin and stdout on a terminal are the best hint
                return console != null && console.isTerminal();
            }
        }
    }

    private static PrintWriter writer(PrintStream out) {
        return new PrintWriter(out, false, out.charset());
    }

    /** Reports {@code done} bytes or items so far. */
    public synchronized void update(long done) {
        if (closed) return;
        this.done = Math.max(this.done, done);
        long now = System.nanoTime();
        if (now - lastDraw < redrawNanos) return;
        lastDraw = now;
        draw(now);
    }

    /** Reports progress where the total is learnt or changes along the way (downloads, sync). */
    public synchronized void update(long done, long total) {
        this.total = Math.max(0, total);
        update(done);
    }

    @Override
    public void accept(long done) {
        update(done);
    }

    /** Draws the final state and ends the line, if anything was drawn; later reports are ignored. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (!drawn) return;
        draw(System.nanoTime());
        if (inPlace) out.println();
        out.flush();
    }

    private void draw(long now) {
        double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = (now - started) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        var bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String amounts;
        if (unit == null) {
            amounts = human(done) + "/" + (total > 0 ? human(total) : "?") + String.format(Locale.ROOT, " %.1fs %s/s", seconds, human((long) rate));
        } else if (PERCENT.equals(unit)) {
            amounts = String.format(Locale.ROOT, "%.1fs", seconds);
        } else {
            amounts = String.format(Locale.ROOT, "%d/%d %s %.1fs %.1f %s/s", done, total, unit, seconds, rate, unit);
        }
        var line = String.format(Locale.ROOT, "%s [%s] %3d%% %s", label, bar, (int) Math.round(fraction * 100), amounts);
        if (inPlace) out.print("\r" + line);
        else out.println(line);
        out.flush();
        drawn = true;
    }

    /** Bytes in binary units, one decimal: "512 B", "1.5 KiB", "1.8 GiB". */
    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = -1;
        while (value >= 1024 && u < units.length - 1) {
            value /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[u]);
    }
}
