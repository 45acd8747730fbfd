package ai.appliance.provisioning.weights;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.EcKeys;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.testing.SharedFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EncryptedModelFileTest {

    private static final int SEGMENT = 64 << 10; // 64 KiB: the ~1 MB fixture spans 15 segments

    @TempDir
    Path tmp;
    private Path deviceDir;
    private DataKeyProvider deviceKeys;
    private DeviceDataKey dataKey;

    @BeforeEach
    void enrollDevice() {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", Clock.systemUTC());
        deviceDir = tmp.resolve("device");
        new DeviceCredentials(deviceDir).enroll(ca, "edge-1", "edge", List.of(), List.of());
        dataKey = DeviceDataKey.loadOrCreate(deviceDir);
        deviceKeys = DataKeyProvider.forDevice(new DeviceCredentials(deviceDir));
    }

    private Path encryptFixture() {
        var plain = SharedFixtures.path("models/tiny-qwen2/tiny-qwen2-q8_0.gguf");
        var enc = tmp.resolve("model.gguf.enc");
        EncryptedModelFile.encrypt(plain, enc, dataKey.key(), dataKey.wrapped(), SEGMENT, 3, b -> { });
        return enc;
    }

    @Test
    void decryptIntoOffHeapMemoryGivesTheFixtureBytesBack() throws Exception {
        var plain = SharedFixtures.path("models/tiny-qwen2/tiny-qwen2-q8_0.gguf");
        var enc = encryptFixture();
        var expected = Files.readAllBytes(plain);
        assertTrue(EncryptedModelFile.isEncrypted(enc));
        assertFalse(EncryptedModelFile.isEncrypted(plain));
        var header = EncryptedModelFile.readHeader(enc);
        assertEquals(expected.length, header.plaintextLength());
        assertEquals((expected.length + SEGMENT - 1) / SEGMENT, header.segmentCount());
        assertEquals(EncryptedModelFile.HEADER_LENGTH + 28L * header.segmentCount() + expected.length, Files.size(enc));
        try (var arena = Arena.ofConfined()) {
            var segment = EncryptedModelFile.decrypt(enc, deviceKeys, arena);
            assertArrayEquals(expected, segment.toArray(ValueLayout.JAVA_BYTE));
        }
        try (var shared = Arena.ofShared()) { // parallel workers write straight into shared memory
            var segment = EncryptedModelFile.decrypt(enc, deviceKeys, shared, 4, b -> { });
            assertArrayEquals(expected, segment.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void streamingDecryptToFileIsByteIdentical() throws Exception {
        var plain = SharedFixtures.path("models/tiny-qwen2/tiny-qwen2-q8_0.gguf");
        var out = tmp.resolve("roundtrip.gguf");
        var seen = new java.util.concurrent.atomic.AtomicLong();
        EncryptedModelFile.decryptToFile(encryptFixture(), out, deviceKeys, 2, seen::set);
        assertEquals(-1, Files.mismatch(plain, out));
        assertEquals(Files.size(plain), seen.get());
    }

    @Test
    void aFlippedCiphertextByteIsRefusedAndNoPlainFileAppears() throws Exception {
        var enc = encryptFixture();
        flip(enc, EncryptedModelFile.HEADER_LENGTH + 5L * (SEGMENT + 28) + 1000);
        var out = tmp.resolve("out.gguf");
        var e = assertThrows(EncryptedModelException.class,
                () -> EncryptedModelFile.decryptToFile(enc, out, deviceKeys, 2, b -> { }));
        assertTrue(e.getMessage().contains("segment 5 of 15 fails authentication"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var arena = Arena.ofConfined()) {
            assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.decrypt(enc, deviceKeys, arena));
        }
    }

    @Test
    void aFlippedTagOrNonceByteIsRefused() throws Exception {
        var enc = encryptFixture();
        flip(enc, EncryptedModelFile.HEADER_LENGTH + 3); // nonce of segment 0
        try (var arena = Arena.ofConfined()) {
            assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.decrypt(enc, deviceKeys, arena));
        }
        var enc2 = encryptFixture();
        flip(enc2, Files.size(enc2) - 1); // tag of the last segment
        try (var arena = Arena.ofConfined()) {
            assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.decrypt(enc2, deviceKeys, arena));
        }
    }

    @Test
    void aChangedHeaderIsRefusedEvenWhereItIsOnlyTheSalt() throws Exception {
        var enc = encryptFixture();
        flip(enc, 40); // inside the file salt
        try (var arena = Arena.ofConfined()) {
            var e = assertThrows(EncryptedModelException.class,
                    () -> EncryptedModelFile.decrypt(enc, deviceKeys, arena));
            assertTrue(e.getMessage().contains("fails authentication"), e.getMessage());
        }
    }

    @Test
    void swappedSegmentsAreRefused() throws Exception {
        var enc = encryptFixture();
        long a = EncryptedModelFile.HEADER_LENGTH + 2L * (SEGMENT + 28);
        long b = EncryptedModelFile.HEADER_LENGTH + 3L * (SEGMENT + 28);
        try (var f = new RandomAccessFile(enc.toFile(), "rw")) {
            var x = new byte[SEGMENT + 28];
            var y = new byte[SEGMENT + 28];
            f.seek(a); f.readFully(x);
            f.seek(b); f.readFully(y);
            f.seek(a); f.write(y);
            f.seek(b); f.write(x);
        }
        try (var arena = Arena.ofConfined()) {
            var e = assertThrows(EncryptedModelException.class,
                    () -> EncryptedModelFile.decrypt(enc, deviceKeys, arena));
            assertTrue(e.getMessage().contains("segment 2") || e.getMessage().contains("segment 3"), e.getMessage());
        }
    }

    @Test
    void truncatedOrExtendedFilesAreRefused() throws Exception {
        var enc = encryptFixture();
        try (var f = new RandomAccessFile(enc.toFile(), "rw")) {
            f.setLength(f.length() - (SEGMENT + 28));
        }
        var e = assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.readHeader(enc));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        var enc2 = encryptFixture();
        Files.write(enc2, new byte[]{0}, java.nio.file.StandardOpenOption.APPEND);
        assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.readHeader(enc2));
    }

    @Test
    void anotherDevicesKeyCannotDecrypt() {
        var enc = encryptFixture();
        var other = EcKeys.generate();
        var e = assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.decryptToFile(enc,
                tmp.resolve("x"), DataKeyProvider.forKeyPair(other.getPrivate(), other.getPublic()), 1, b -> { }));
        assertTrue(e.getMessage().contains("wrapped for device key"), e.getMessage());
    }

    @Test
    void theDeviceDataKeyIsStableAcrossLoadsAndEmptyFilesRoundTrip() throws Exception {
        var again = DeviceDataKey.loadOrCreate(deviceDir);
        assertArrayEquals(dataKey.key().getEncoded(), again.key().getEncoded());
        var empty = Files.createFile(tmp.resolve("empty.bin"));
        var enc = tmp.resolve("empty.enc");
        EncryptedModelFile.encrypt(empty, enc, again.key(), again.wrapped(), SEGMENT, 2, b -> { });
        assertEquals(1, EncryptedModelFile.readHeader(enc).segmentCount());
        try (var arena = Arena.ofConfined()) {
            assertEquals(0, EncryptedModelFile.decrypt(enc, deviceKeys, arena).byteSize());
        }
        flip(enc, EncryptedModelFile.HEADER_LENGTH + 12); // the lone tag: an empty file is still authenticated
        try (var arena = Arena.ofConfined()) {
            assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.decrypt(enc, deviceKeys, arena));
        }
    }

    @Test
    void aPlainFileIsNotMistakenForAnEncryptedOne() {
        var plain = SharedFixtures.path("models/tiny-qwen2/tiny-qwen2-q8_0.gguf");
        var e = assertThrows(EncryptedModelException.class, () -> EncryptedModelFile.readHeader(plain));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    private static void flip(Path file, long position) throws Exception {
        try (var f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int v = f.read();
            f.seek(position);
            f.write(v ^ 0x01);
        }
    }

}
