package ai.chorus.report;

import java.util.Locale;

/** How numbers read in a report: counts without decimals, metrics and scores to 4 places (aligned in a column). */
final class Numbers {
    private Numbers() {
    }

    /** A count or a summary value: whole numbers without decimals. */
    static String format(double v) {
        if (!Double.isNaN(v) && v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return metric(v);
    }

    /** A metric or score: recall 1 reads "1.0000" like its neighbours in the column. */
    static String metric(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v != 0 && Math.abs(v) < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.4f" : "%.2f", v);
    }
}
