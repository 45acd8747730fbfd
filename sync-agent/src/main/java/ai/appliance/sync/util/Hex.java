package ai.appliance.sync.util;

import java.util.HexFormat;

/** Lower-case hex, the only spelling of hashes and key ids in sync metadata. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    public static String of(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] parse(String hex) {
        return HEX.parseHex(hex);
    }
}
