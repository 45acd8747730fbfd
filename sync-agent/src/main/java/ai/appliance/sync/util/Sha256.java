package ai.appliance.sync.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 helpers (the JDK provider uses the SHA-NI intrinsics where the CPU has them). */
public final class Sha256 {
    private Sha256() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public static String hex(byte[] data) {
        return Hex.of(newDigest().digest(data));
    }

    public static String hex(byte[] data, int off, int len) {
        var d = newDigest();
        d.update(data, off, len);
        return Hex.of(d.digest());
    }

    public static String hex(ByteBuffer data) {
        var d = newDigest();
        d.update(data.duplicate());
        return Hex.of(d.digest());
    }

    public static String ofFile(Path file) throws IOException {
        var d = newDigest();
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                d.update(buf);
                buf.clear();
            }
        }
        return Hex.of(d.digest());
    }

    public static String ofStream(InputStream in) throws IOException {
        var d = newDigest();
        var buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
        return Hex.of(d.digest());
    }
}
