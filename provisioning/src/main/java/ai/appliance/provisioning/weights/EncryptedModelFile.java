package ai.appliance.provisioning.weights;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Model weights encrypted at rest: a chunked AES-256-GCM format that decrypts streaming (bounded memory, segments
 * in parallel) and refuses any modification. Layout (big-endian), documented in docs/provisioning.md:
 * <pre>
 * header (222 bytes)
 *   [8]  magic "APLMENC1"      [2] version 1       [2] header length H
 *   [4]  segment size S        [8] plaintext length L   [8] segment count N = max(1, ceil(L / S))
 *   [32] file salt             [158] {@link WrappedDataKey}
 * segment i (at H + i * (S + 28)):  [12] nonce | ciphertext (S bytes, the last one L - (N-1) S) | [16] tag
 * </pre>
 * File key = HKDF-SHA256(data key, salt = file salt, info = "appliance model file v1"). Segment AAD =
 * SHA-256(header) || u64 i || u8 (1 on the last segment): a changed header, a segment moved, dropped or added,
 * or a truncated file fails authentication. The file size must equal H + 28 N + L exactly.
 */
public final class EncryptedModelFile {

    public static final byte[] MAGIC = "APLMENC1".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 8 + 2 + 2 + 4 + 8 + 8 + 32 + WrappedDataKey.ENCODED_LENGTH;
    public static final int NONCE = 12;
    public static final int TAG = 16;
    /**
     * 256 KiB: tags cost 0.01%, and the JDK's AES-GCM intrinsics engage after a few hundred cipher calls, so the
     * first gigabyte of a model decrypts at full speed (4 MiB segments ran the first 256 MiB 15x slower, cold).
     */
    public static final int DEFAULT_SEGMENT_SIZE = 256 << 10;
    public static final int MIN_SEGMENT_SIZE = 4 << 10;
    public static final int MAX_SEGMENT_SIZE = 64 << 20;
    private static final byte[] FILE_KEY_INFO = "appliance model file v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private EncryptedModelFile() {
    }

    /** The parsed header of an encrypted model file. */
    public record Header(byte[] encoded, int segmentSize, long plaintextLength, long segmentCount, byte[] fileSalt,
                         WrappedDataKey wrappedKey) {

        long segmentOffset(long index) {
            return HEADER_LENGTH + index * (segmentSize + (long) NONCE + TAG);
        }

        int plaintextLength(long index) {
            return (int) (index == segmentCount - 1 ? plaintextLength - index * segmentSize : segmentSize);
        }

        long fileLength() {
            return HEADER_LENGTH + segmentCount * (NONCE + TAG) + plaintextLength;
        }
    }

    /** Whether the file starts with the magic of this format (cheap: reads 8 bytes). */
    public static boolean isEncrypted(Path file) {
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var magic = ByteBuffer.allocate(MAGIC.length);
            while (magic.hasRemaining() && channel.read(magic) >= 0) { }
            return !magic.hasRemaining() && java.util.Arrays.equals(magic.array(), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    public static Header readHeader(Path file) {
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(channel, file);
        } catch (IOException e) {
            throw new EncryptedModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Header readHeader(FileChannel channel, Path file) throws IOException {
        var bytes = new byte[HEADER_LENGTH];
        var buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                throw new EncryptedModelException(file + " is too short to be an encrypted model file");
            }
        }
        buffer.flip();
        var magic = new byte[8];
        buffer.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new EncryptedModelException(file + " is not an encrypted model file (bad magic)");
        }
        int version = Short.toUnsignedInt(buffer.getShort());
        int headerLength = Short.toUnsignedInt(buffer.getShort());
        if (version != VERSION || headerLength != HEADER_LENGTH) {
            throw new EncryptedModelException(file + ": encrypted model format version " + version
                    + " is not supported (this build reads version " + VERSION + ")");
        }
        int segmentSize = buffer.getInt();
        long length = buffer.getLong();
        long count = buffer.getLong();
        var salt = new byte[32];
        buffer.get(salt);
        var wrapped = new byte[WrappedDataKey.ENCODED_LENGTH];
        buffer.get(wrapped);
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE || length < 0
                || count != Math.max(1, ceilDiv(length, segmentSize))) {
            throw new EncryptedModelException(file + ": corrupt header (segment size " + segmentSize + ", length "
                    + length + ", segments " + count + ")");
        }
        var header = new Header(bytes, segmentSize, length, count, salt, WrappedDataKey.decode(wrapped, file.toString()));
        if (channel.size() != header.fileLength()) {
            throw new EncryptedModelException(file + " is " + channel.size() + " bytes but its header describes "
                    + header.fileLength() + ": the file is truncated or has bytes appended");
        }
        return header;
    }

    /** Encrypts {@code plain} into {@code encrypted} (written to a temporary file, then renamed). */
    public static void encrypt(Path plain, Path encrypted, SecretKey dataKey, WrappedDataKey wrappedKey,
                               int segmentSize, int threads, LongConsumer progress) {
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("segment size " + segmentSize + " outside " + MIN_SEGMENT_SIZE + ".."
                    + MAX_SEGMENT_SIZE);
        }
        var tmp = temporarySibling(encrypted);
        try (var in = FileChannel.open(plain, StandardOpenOption.READ);
             var out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long length = in.size();
            var salt = new byte[32];
            RANDOM.nextBytes(salt);
            var encoded = ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC).putShort((short) VERSION)
                    .putShort((short) HEADER_LENGTH).putInt(segmentSize).putLong(length)
                    .putLong(Math.max(1, ceilDiv(length, segmentSize))).put(salt).put(wrappedKey.encode()).array();
            var header = new Header(encoded, segmentSize, length, Math.max(1, ceilDiv(length, segmentSize)), salt,
                    wrappedKey);
            writeFully(out, ByteBuffer.wrap(encoded), 0);
            run(header, fileKey(dataKey, salt), Cipher.ENCRYPT_MODE, threads, progress, (index, buf) -> {
                int len = header.plaintextLength(index);
                readFully(in, ByteBuffer.wrap(buf, 0, len), (long) index * segmentSize, plain);
                return len;
            }, (index, buf, len) -> writeFully(out, ByteBuffer.wrap(buf, 0, len), header.segmentOffset(index)));
            out.force(true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new EncryptedModelException("cannot encrypt " + plain + " to " + encrypted + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        move(tmp, encrypted);
    }

    /**
     * Decrypts the whole model into off-heap memory owned by {@code arena}. Costs the full plaintext size in
     * anonymous memory (not page cache: it cannot be evicted or shared, unlike a memory-mapped plain file).
     * On an authentication failure the exception is thrown and the segment's contents must not be used.
     * Segments decrypt in parallel when the arena is shared or global ({@code Arena.ofShared()}, {@code ofAuto()});
     * a confined arena decrypts on the calling thread.
     */
    public static MemorySegment decrypt(Path file, DataKeyProvider keys, Arena arena) {
        return decrypt(file, keys, arena, Runtime.getRuntime().availableProcessors(), b -> { });
    }

    public static MemorySegment decrypt(Path file, DataKeyProvider keys, Arena arena, int threads,
                                        LongConsumer progress) {
        try (var in = FileChannel.open(file, StandardOpenOption.READ)) {
            var header = readHeader(in, file);
            var target = arena.allocate(header.plaintextLength(), 64);
            // A confined arena's memory is writable only by this thread: decrypt here, serially.
            boolean shared = target.isAccessibleBy(Thread.ofPlatform().unstarted(() -> { }));
            decryptSegments(file, in, header, keys, shared ? threads : 1, progress, (index, buf, len) ->
                    MemorySegment.copy(MemorySegment.ofArray(buf), 0, target,
                            (long) index * header.segmentSize(), len));
            return target;
        } catch (IOException e) {
            throw new EncryptedModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Streaming decrypt to a file: bounded memory; the output appears (atomically) only if every segment verified. */
    public static void decryptToFile(Path file, Path plain, DataKeyProvider keys, int threads, LongConsumer progress) {
        var tmp = temporarySibling(plain);
        try (var in = FileChannel.open(file, StandardOpenOption.READ);
             var out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            var header = readHeader(in, file);
            decryptSegments(file, in, header, keys, threads, progress, (index, buf, len) ->
                    writeFully(out, ByteBuffer.wrap(buf, 0, len), (long) index * header.segmentSize()));
            out.force(true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new EncryptedModelException("cannot decrypt " + file + " to " + plain + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        move(tmp, plain);
    }

    private static void decryptSegments(Path file, FileChannel in, Header header, DataKeyProvider keys, int threads,
                                        LongConsumer progress, SegmentSink sink) throws IOException {
        var dataKey = keys.unwrap(header.wrappedKey());
        try {
            run(header, fileKey(dataKey, header.fileSalt()), Cipher.DECRYPT_MODE, threads, progress, (index, buf) -> {
                int len = header.plaintextLength(index) + NONCE + TAG;
                readFully(in, ByteBuffer.wrap(buf, 0, len), header.segmentOffset(index), file);
                return len;
            }, sink);
        } catch (SegmentAuthenticationException e) {
            throw new EncryptedModelException(file + ": segment " + e.index + " of " + header.segmentCount()
                    + " fails authentication: the file was modified, reordered or truncated, or the key is wrong");
        }
    }

    @FunctionalInterface
    private interface SegmentSource {
        /** Reads segment {@code index}'s input into buf, returns its length. */
        int read(long index, byte[] buf) throws IOException;
    }

    @FunctionalInterface
    private interface SegmentSink {
        void write(long index, byte[] buf, int length) throws IOException;
    }

    private static final class SegmentAuthenticationException extends RuntimeException {
        final long index;

        SegmentAuthenticationException(long index) {
            super(null, null, false, false);
            this.index = index;
        }
    }

    /**
     * Processes every segment on {@code threads} workers (segment i on worker i mod threads), each with its own
     * cipher and two buffers: memory stays at threads x 2 x (S + 28) whatever the file size.
     */
    private static void run(Header header, SecretKey fileKey, int mode, int threads, LongConsumer progress,
                            SegmentSource source, SegmentSink sink) throws IOException {
        int workers = (int) Math.max(1, Math.min(threads, header.segmentCount()));
        var failure = new AtomicReference<Throwable>();
        var done = new AtomicLong();
        var hash = DataKeys.sha256(header.encoded());
        var pool = new ArrayList<Thread>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Runnable task = () -> {
                try {
                    var cipher = Cipher.getInstance("AES/GCM/NoPadding");
                    var in = new byte[header.segmentSize() + NONCE + TAG];
                    var out = new byte[header.segmentSize() + NONCE + TAG];
                    for (long i = worker; i < header.segmentCount() && failure.get() == null; i += workers) {
                        int len = source.read(i, in);
                        var aad = ByteBuffer.allocate(32 + 8 + 1).put(hash).putLong(i)
                                .put((byte) (i == header.segmentCount() - 1 ? 1 : 0)).array();
                        int produced;
                        if (mode == Cipher.ENCRYPT_MODE) {
                            var nonce = new byte[NONCE];
                            RANDOM.nextBytes(nonce);
                            cipher.init(Cipher.ENCRYPT_MODE, fileKey, new GCMParameterSpec(TAG * 8, nonce));
                            cipher.updateAAD(aad);
                            System.arraycopy(nonce, 0, out, 0, NONCE);
                            produced = NONCE + cipher.doFinal(in, 0, len, out, NONCE);
                        } else {
                            cipher.init(Cipher.DECRYPT_MODE, fileKey, new GCMParameterSpec(TAG * 8, in, 0, NONCE));
                            cipher.updateAAD(aad);
                            try {
                                produced = cipher.doFinal(in, NONCE, len - NONCE, out, 0);
                            } catch (AEADBadTagException e) {
                                throw new SegmentAuthenticationException(i);
                            }
                        }
                        sink.write(i, out, produced);
                        progress.accept(done.addAndGet(header.plaintextLength(i)));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            };
            if (workers == 1) task.run(); // on the caller's thread: confined memory stays reachable
            else pool.add(Thread.ofPlatform().name("model-crypto-" + w).start(task));
        }
        for (var t : pool) {
            try {
                t.join();
            } catch (InterruptedException e) {
                failure.compareAndSet(null, e);
                Thread.currentThread().interrupt();
            }
        }
        switch (failure.get()) {
            case null -> { }
            case SegmentAuthenticationException e -> throw e;
            case IOException e -> throw e;
            case EncryptedModelException e -> throw e;
            case GeneralSecurityException e -> throw new EncryptedModelException("AES-GCM failed: " + e.getMessage(), e);
            case Throwable t -> throw new EncryptedModelException("model crypto worker failed: " + t, t);
        }
    }

    static SecretKey fileKey(SecretKey dataKey, byte[] salt) {
        return new SecretKeySpec(DataKeys.hkdf(dataKey.getEncoded(), salt, FILE_KEY_INFO, 32), "AES");
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, p);
            if (n < 0) throw new EncryptedModelException(file + " ended early at byte " + p);
            p += n;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) p += channel.write(buffer, p);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static Path temporarySibling(Path target) {
        var abs = target.toAbsolutePath();
        var tmp = abs.resolveSibling("." + abs.getFileName() + ".partial");
        deleteQuietly(tmp);
        return tmp;
    }

    private static void move(Path tmp, Path target) {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new EncryptedModelException("cannot move " + tmp + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the caller already reports the real failure
        }
    }
}
