package ai.appliance.sync.cli;

import ai.appliance.sync.util.Progress;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn at most ten times a second. */
final class ProgressBar implements Progress, AutoCloseable {
    private final PrintStream out;
    private final String label;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public synchronized void update(long done, long total) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        int pct = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        int width = 30;
        int filled = pct * width / 100;
        out.printf("\r%s [%s%s] %3d%% %s/%s", label, "#".repeat(filled), " ".repeat(width - filled), pct, human(done), human(total));
        out.flush();
        drawn = true;
    }

    @Override
    public synchronized void close() {
        if (drawn) out.println();
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double v = bytes;
        var units = new String[]{"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
