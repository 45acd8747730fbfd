package ai.appliance.provisioning.doctor;

/** One line of `appliance doctor`. */
public record CheckResult(Status status, String check, String detail) {

    /** SKIP: the check does not apply to this box's plan (a GPU check on a CPU plan); it neither passes nor fails. */
    public enum Status { PASS, WARN, FAIL, SKIP }

    public static CheckResult pass(String check, String detail) {
        return new CheckResult(Status.PASS, check, detail);
    }

    public static CheckResult warn(String check, String detail) {
        return new CheckResult(Status.WARN, check, detail);
    }

    public static CheckResult fail(String check, String detail) {
        return new CheckResult(Status.FAIL, check, detail);
    }

    public static CheckResult skip(String check, String detail) {
        return new CheckResult(Status.SKIP, check, detail);
    }

    public String line() {
        return "%-4s  %-12s %s".formatted(status, check, detail);
    }
}
