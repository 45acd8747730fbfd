package ai.appliance.provisioning.doctor;

/** One line of `appliance doctor`. */
public record CheckResult(Status status, String check, String detail) {

    public enum Status { PASS, WARN, FAIL }

    public static CheckResult pass(String check, String detail) {
        return new CheckResult(Status.PASS, check, detail);
    }

    public static CheckResult warn(String check, String detail) {
        return new CheckResult(Status.WARN, check, detail);
    }

    public static CheckResult fail(String check, String detail) {
        return new CheckResult(Status.FAIL, check, detail);
    }

    public String line() {
        return "%-4s  %-12s %s".formatted(status, check, detail);
    }
}
