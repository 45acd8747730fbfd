package ai.appliance.runtime.cli;

import java.io.PrintWriter;

/** A one-line progress bar on stderr, redrawn in place; silent for work too short to need one. */
final class ProgressLine {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private boolean drawn;

    ProgressLine(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    void update(long done, long total) {
        if (!drawn && done >= total) return; // finished in one go: nothing worth drawing
        int filled = (int) (WIDTH * done / Math.max(1, total));
        err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
        if (done >= total) err.print("\r" + " ".repeat(label.length() + WIDTH + 30) + "\r");
        err.flush();
        drawn = done < total;
    }
}
