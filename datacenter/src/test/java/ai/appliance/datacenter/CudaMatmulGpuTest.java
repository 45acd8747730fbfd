package ai.appliance.datacenter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.cuda.CudaDriver;
import ai.appliance.cuda.Nvrtc;
import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.quantize.Q4_0Encoder;
import ai.appliance.runtime.quantize.Q4_KEncoder;
import ai.appliance.runtime.quantize.Q8_0Encoder;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every matrix kernel on the GPU against the CPU backend on the same weights, with fresh random data: weight-only
 * products within float rounding, int8 products within the error of 8-bit activations. Needs an NVIDIA GPU and
 * NVRTC (tag {@code gpu}: not part of the build's test run; datacenter/README.md says how to run it).
 */
@Tag("gpu")
class CudaMatmulGpuTest {
    private static CudaBackend weightOnly;
    private static CudaBackend int8;
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        var driver = CudaDriver.load();
        var nvrtc = Nvrtc.load(driver.driverVersion().major());
        var gpu = driver.inventory().gpus().getFirst();
        weightOnly = CudaBackend.open(driver, nvrtc, gpu, CudaCompute.Products.WEIGHT_ONLY, 2, null);
        int8 = CudaBackend.open(driver, nvrtc, gpu, CudaCompute.Products.INT8_ACTIVATIONS, 2, null);
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        weightOnly.close();
        int8.close();
        cpu.close();
    }

    static Stream<Arguments> shapes() {
        var out = new ArrayList<Arguments>();
        for (var type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K)) {
            for (int batch : new int[]{1, 3, 8, 19}) {
                out.add(Arguments.of(type, 37, 512, batch));
                out.add(Arguments.of(type, 300, 1024, batch));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} batch {3}")
    @MethodSource("shapes")
    void gpuProductsMatchTheCpuBackend(GgmlType type, int rows, int columns, int batch) {
        var random = new Random(31L * rows + columns + batch + type.ordinal());
        var weight = tensor(type, rows, columns, random);
        var x = new float[batch * columns];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        var expected = new float[batch * rows];
        cpu.matmul(weight, x, batch, expected);
        var actual = new float[batch * rows];
        java.util.Arrays.fill(actual, Float.NaN);
        weightOnly.matmul(weight, x, batch, actual);
        assertRelative(expected, actual, 1e-5, type + " weight-only");
        boolean integer = type == GgmlType.Q8_0 || type == GgmlType.Q4_0 || type == GgmlType.Q4_K;
        java.util.Arrays.fill(actual, Float.NaN);
        int8.matmul(weight, x, batch, actual);
        assertRelative(expected, actual, integer ? 2e-2 : 1e-5, type + " int8 backend");
    }

    private static void assertRelative(float[] expected, float[] actual, double tolerance, String what) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": output " + i + " is " + actual[i]);
            difference += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            norm += expected[i] * (double) expected[i];
        }
        double relative = Math.sqrt(difference / norm);
        assertTrue(relative < tolerance, what + ": relative error " + relative + " exceeds " + tolerance);
    }

    static Tensor tensor(GgmlType type, int rows, int columns, Random random) {
        var values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * 0.1);
        var bytes = ByteBuffer.allocate(Math.toIntExact(rows * type.bytesFor(columns))).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            switch (type) {
                case F32 -> { for (int c = 0; c < columns; c++) bytes.putFloat(values[r * columns + c]); }
                case F16 -> { for (int c = 0; c < columns; c++) bytes.putShort(Float.floatToFloat16(values[r * columns + c])); }
                case BF16 -> { for (int c = 0; c < columns; c++) bytes.putShort((short) (Float.floatToRawIntBits(values[r * columns + c]) >>> 16)); }
                case Q8_0 -> Q8_0Encoder.encode(values, r * columns, columns, bytes);
                case Q4_0 -> Q4_0Encoder.encode(values, r * columns, columns, bytes);
                case Q4_K -> Q4_KEncoder.encode(values, r * columns, columns, bytes);
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return new Tensor("w", type, new long[]{rows, columns}, MemorySegment.ofArray(bytes.array()));
    }
}
