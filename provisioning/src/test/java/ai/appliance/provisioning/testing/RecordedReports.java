package ai.appliance.provisioning.testing;

import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.json.JsonFiles;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The recorded hardware reports under src/test/resources/reports. */
public final class RecordedReports {

    public static final List<String> ALL = List.of("cpu-only-i7-12700", "jetson-orin-nano-8gb", "jetson-agx-orin-64gb",
            "rtx-4090", "a100-40gb", "a100-80gb", "8x-h100-80gb", "8x-h200");

    private RecordedReports() {
    }

    public static Path path(String name) {
        var url = RecordedReports.class.getResource("/reports/" + name + ".json");
        if (url == null) throw new IllegalStateException("no recorded report /reports/" + name + ".json");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static HardwareReport load(String name) {
        return JsonFiles.read(path(name), HardwareReport.class);
    }
}
