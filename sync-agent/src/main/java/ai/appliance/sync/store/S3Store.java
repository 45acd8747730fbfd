package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * An S3-compatible store (AWS, MinIO, Ceph RGW) through the AWS SDK for Java v2. Checksums are only sent when
 * the service requires them, because several S3-compatible servers reject the SDK's default trailing checksums;
 * integrity is end-to-end SHA-256 anyway.
 */
public final class S3Store implements ObjectStore {
    /** Objects above this size are uploaded in parts of this size (S3 minimum part: 5 MiB). */
    static final long MULTIPART_PART_BYTES = 8L << 20;

    public record Options(String bucket, String prefix, URI endpoint, String region, boolean pathStyle,
                          AwsCredentialsProvider credentials, Duration timeout) {
        public Options {
            if (bucket == null || bucket.isBlank()) throw new SyncException.UsageError("S3 store needs a bucket name");
            prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
            region = region == null ? "us-east-1" : region;
            timeout = timeout == null ? Duration.ofSeconds(60) : timeout;
        }
    }

    private final Options options;
    private final S3Client s3;

    public S3Store(Options options) {
        this.options = options;
        var builder = S3Client.builder()
                .region(Region.of(options.region()))
                .forcePathStyle(options.pathStyle())
                // Plain signed bodies instead of aws-chunked streaming: measured faster uploads against
                // S3Proxy, and the body is in memory anyway (chunks are at most 16 MiB).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(options.credentials() != null ? options.credentials() : DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(options.timeout())
                        .maxConnections(32))
                .overrideConfiguration(c -> c.apiCallTimeout(options.timeout().multipliedBy(2)));
        if (options.endpoint() != null) builder.endpointOverride(options.endpoint());
        this.s3 = builder.build();
    }

    private String key(String key) {
        StoreKeys.checked(key);
        return options.prefix().isEmpty() ? key : options.prefix() + "/" + key;
    }

    @Override
    public String describe() {
        return "s3://" + options.bucket() + (options.prefix().isEmpty() ? "" : "/" + options.prefix())
                + (options.endpoint() != null ? " at " + options.endpoint() : "");
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(call(() -> s3.getObjectAsBytes(GetObjectRequest.builder()
                    .bucket(options.bucket()).key(key(key)).build()), key).asByteArray());
        } catch (SyncException.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public byte[] getFrom(String key, long offset) {
        var req = GetObjectRequest.builder().bucket(options.bucket()).key(key(key));
        if (offset > 0) req.range("bytes=" + offset + "-");
        ResponseBytes<GetObjectResponse> bytes = call(() -> s3.getObjectAsBytes(req.build()), key);
        return bytes.asByteArray();
    }

    @Override
    public java.io.InputStream openFrom(String key, long offset) {
        var req = GetObjectRequest.builder().bucket(options.bucket()).key(key(key));
        if (offset > 0) req.range("bytes=" + offset + "-");
        return call(() -> s3.getObject(req.build()), key);
    }

    @Override
    public OptionalLong size(String key) {
        try {
            var head = call(() -> s3.headObject(HeadObjectRequest.builder().bucket(options.bucket()).key(key(key)).build()), key);
            return OptionalLong.of(head.contentLength());
        } catch (SyncException.NotFound e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void put(String key, byte[] data) {
        if (data.length > MULTIPART_PART_BYTES) {
            multipart(key, data.length, (off, len) -> java.util.Arrays.copyOfRange(data, (int) off, (int) off + len));
            return;
        }
        call(() -> s3.putObject(PutObjectRequest.builder().bucket(options.bucket()).key(key(key)).build(),
                RequestBody.fromBytes(data)), key);
    }

    /** Reads one part of the object being uploaded. */
    @FunctionalInterface
    private interface PartReader {
        byte[] read(long offset, int length) throws IOException;
    }

    @Override
    public void put(String key, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new SyncException.UsageError("cannot read " + file + ": " + e.getMessage());
        }
        if (size <= MULTIPART_PART_BYTES) {
            call(() -> s3.putObject(PutObjectRequest.builder().bucket(options.bucket()).key(key(key)).build(),
                    RequestBody.fromFile(file)), key);
            return;
        }
        try (var in = new RandomAccessFile(file.toFile(), "r")) {
            multipart(key, size, (off, len) -> {
                var buf = new byte[len];
                in.seek(off);
                in.readFully(buf);
                return buf;
            });
        } catch (IOException e) {
            throw new SyncException.UsageError("cannot read " + file + ": " + e.getMessage());
        }
    }

    private void multipart(String key, long size, PartReader reader) {
        var full = key(key);
        var uploadId = call(() -> s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(options.bucket()).key(full).build()), key).uploadId();
        try {
            var parts = new ArrayList<CompletedPart>();
            int partNumber = 1;
            for (long off = 0; off < size; off += MULTIPART_PART_BYTES, partNumber++) {
                int len = (int) Math.min(MULTIPART_PART_BYTES, size - off);
                final int pn = partNumber;
                var body = RequestBody.fromBytes(reader.read(off, len));
                var etag = call(() -> s3.uploadPart(UploadPartRequest.builder().bucket(options.bucket()).key(full)
                        .uploadId(uploadId).partNumber(pn).build(), body), key).eTag();
                parts.add(CompletedPart.builder().partNumber(pn).eTag(etag).build());
            }
            call(() -> s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(options.bucket())
                    .key(full).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build()), key);
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(options.bucket()).key(full).uploadId(uploadId).build());
            } catch (RuntimeException ignored) {
                // The bucket's lifecycle rule cleans abandoned uploads; the original error matters more.
            }
            if (e instanceof SyncException se) throw se;
            throw new SyncException.StoreUnavailable(describe() + ": multipart upload of " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        var full = key(prefix.isEmpty() ? "x" : prefix);
        var p = prefix.isEmpty() ? (options.prefix().isEmpty() ? "" : options.prefix() + "/") : full;
        int strip = options.prefix().isEmpty() ? 0 : options.prefix().length() + 1;
        var out = new ArrayList<String>();
        call(() -> {
            var req = ListObjectsV2Request.builder().bucket(options.bucket());
            if (!p.isEmpty()) req.prefix(p);
            s3.listObjectsV2Paginator(req.build())
                    .contents().forEach(o -> out.add(o.key().substring(strip)));
            return null;
        }, prefix);
        return out;
    }

    private <T> T call(Supplier<T> op, String key) {
        try {
            return op.get();
        } catch (NoSuchKeyException e) {
            throw new SyncException.NotFound(describe() + ": no object " + key);
        } catch (S3Exception e) {
            if (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode())) {
                throw new SyncException.StoreUnavailable(describe() + ": bucket '" + options.bucket() + "' does not exist", e);
            }
            if (e.statusCode() == 404 || e.statusCode() == 416) throw new SyncException.NotFound(describe() + ": no object " + key);
            throw new SyncException.StoreUnavailable(describe() + ": " + key + ": HTTP " + e.statusCode() + " "
                    + (e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : e.getMessage()), e);
        } catch (SdkClientException e) {
            throw new SyncException.StoreUnavailable(describe() + " unreachable: " + oneLine(e.getMessage()), e);
        }
    }

    private static String oneLine(String s) {
        if (s == null) return "no detail";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        s3.close();
    }
}
