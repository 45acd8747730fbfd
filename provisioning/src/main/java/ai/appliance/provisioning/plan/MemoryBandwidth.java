package ai.appliance.provisioning.plan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Peak memory bandwidth (GB/s, datasheet) by device name. Decoding one token reads every active weight once,
 * so bandwidth / active bytes bounds tokens per second from above. Unknown devices get no speed floor.
 */
public final class MemoryBandwidth {

    /** Assumed for CPU boxes, whose channel count /proc does not tell: dual-channel DDR5-6400 is 102, DDR4-3200 51. */
    public static final double ASSUMED_CPU_GBPS = 50.0;

    // Most specific first: "a100-sxm4-80gb" must win over "a100".
    private static final Map<String, Double> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("h200", 4800.0);
        BY_NAME.put("h100 nvl", 3900.0);
        BY_NAME.put("h100 pcie", 2000.0);
        BY_NAME.put("h100", 3350.0); // SXM5 80GB HBM3
        BY_NAME.put("a100-sxm4-80gb", 2039.0);
        BY_NAME.put("a100 80gb pcie", 1935.0);
        BY_NAME.put("a100-pcie-40gb", 1555.0);
        BY_NAME.put("a100-sxm4-40gb", 1555.0);
        BY_NAME.put("a100", 1555.0);
        BY_NAME.put("l40s", 864.0);
        BY_NAME.put("l4", 300.0);
        BY_NAME.put("rtx 4090", 1008.0);
        BY_NAME.put("rtx 3090", 936.0);
        BY_NAME.put("rtx 6000 ada", 960.0);
        BY_NAME.put("a10", 600.0);
        BY_NAME.put("t4", 320.0);
        BY_NAME.put("agx orin", 204.8);
        BY_NAME.put("orin nx", 102.4);
        BY_NAME.put("orin nano", 68.0);
        BY_NAME.put("agx thor", 273.0);
        BY_NAME.put("agx xavier", 136.5);
    }

    private MemoryBandwidth() {
    }

    public static OptionalDouble gigabytesPerSecond(String deviceName) {
        var name = deviceName.toLowerCase(Locale.ROOT);
        for (var e : BY_NAME.entrySet()) {
            if (name.contains(e.getKey())) return OptionalDouble.of(e.getValue());
        }
        return OptionalDouble.empty();
    }
}
