package ai.appliance.provisioning.doctor;

/** Compares dotted numeric versions ("550.90.07" vs "525.60.13"); missing parts count as 0. */
final class Versions {
    private Versions() {
    }

    static int compare(String a, String b) {
        var x = a.trim().split("\\.");
        var y = b.trim().split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? parse(x[i]) : 0;
            long q = i < y.length ? parse(y[i]) : 0;
            if (p != q) return Long.compare(p, q);
        }
        return 0;
    }

    static boolean atLeast(String version, String minimum) {
        return version != null && !version.equals("unknown") && compare(version, minimum) >= 0;
    }

    private static long parse(String s) {
        var digits = s.replaceAll("[^0-9].*$", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }
}
