// The CUDA kernels of the `cuda` and `jetson` backends, compiled at run time by NVRTC for the GPU found
// (CudaKernels). No headers: NVRTC's built-ins only, so the source compiles the same with NVRTC 12 and 13.
// Activations are F32, row-major; weights keep their file's bits (GGUF blocks, BF16/F16, FP8 E4M3), repacked only
// where a block is not 4-byte aligned (Q8_0, Q4_0: quants and scales apart, see CudaWeights).
typedef unsigned char u8;
typedef signed char i8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define WARP 32
#define ROWS_PER_BLOCK 8      // one warp per output row, 256 threads per block
// A block multiplies 1, 8, 16 or 32 activation rows per read of its weight rows (the _1/_8/_16/_32 entry points).

__device__ __forceinline__ float half_to_float(u16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
__device__ __forceinline__ float bf16_lo(u32 v) { return __uint_as_float(v << 16); }
__device__ __forceinline__ float bf16_hi(u32 v) { return __uint_as_float(v & 0xffff0000u); }
__device__ __forceinline__ float f16_lo(u32 v) { return half_to_float((u16) (v & 0xffffu)); }
__device__ __forceinline__ float f16_hi(u32 v) { return half_to_float((u16) (v >> 16)); }
// FP8 E4M3 (e4m3fn): the 7 magnitude bits placed as a float's exponent and mantissa, times 2^(127-7); exponent 0
// lands on float subnormals (m/8 * 2^-6 after the product). NaN (0x7f) is not produced by weight files.
__device__ __forceinline__ float fp8_to_float(u32 b) {
    float m = __uint_as_float((b & 0x7fu) << 20) * 1.329227995784916e36f;
    return (b & 0x80u) ? -m : m;
}
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
__device__ __forceinline__ int dp4a(int a, int b, int c) {
    int r;
    asm("dp4a.s32.s32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
__device__ __forceinline__ void fma4(float& acc, float4 a, float w0, float w1, float w2, float w3) {
    acc += a.x * w0 + a.y * w1 + a.z * w2 + a.w * w3;
}

// ---- weight-only products: y[b][r] (+)= sum_c W[r][c] x[b][c] -------------------------------------------------
// Each warp owns one row r; lanes stride over 16-byte units of the row; a block's y-index picks BATCH_TILE rows of
// x. The per-type part is how one unit of weights becomes floats.

#define MATMUL_PROLOGUE                                                                  \
    int row = blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);                          \
    int lane = threadIdx.x & 31;                                                         \
    int b0 = blockIdx.y * BT;                                                            \
    if (row >= rows) return;                                                             \
    int nb = batch - b0 < BT ? batch - b0 : BT;                                          \
    const float* xs = x + (size_t) b0 * cols;                                            \
    float acc[BT];                                                                       \
    _Pragma("unroll") for (int b = 0; b < BT; b++) acc[b] = 0.f;

#define MATMUL_EPILOGUE                                                                  \
    _Pragma("unroll") for (int b = 0; b < BT; b++) {                                     \
        float s = warp_sum(acc[b]);                                                      \
        if (lane == 0 && b < nb) {                                                       \
            float* o = y + (size_t) (b0 + b) * rows + row;                               \
            *o = accumulate ? *o + s : s;                                                \
        }                                                                                \
    }

template <int BT>
__device__ void mm_f32(const float* __restrict__ w, const float* __restrict__ x, float* __restrict__ y,
                       int rows, int cols, int batch, int accumulate) {
    MATMUL_PROLOGUE
    const float4* wr = (const float4*) (w + (size_t) row * cols);
    for (int u = lane; u < cols / 4; u += WARP) {
        float4 v = __ldg(wr + u);
        _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
            fma4(acc[b], *(const float4*) (xs + (size_t) b * cols + 4 * u), v.x, v.y, v.z, v.w);
        }
    }
    MATMUL_EPILOGUE
}

template <int BT, bool BF>
__device__ void mm_16bit(const u16* __restrict__ w, const float* __restrict__ x, float* __restrict__ y,
                         int rows, int cols, int batch, int accumulate) {
    MATMUL_PROLOGUE
    const uint4* wr = (const uint4*) (w + (size_t) row * cols);
    for (int u = lane; u < cols / 8; u += WARP) {
        uint4 p = __ldg(wr + u);
        float w0 = BF ? bf16_lo(p.x) : f16_lo(p.x), w1 = BF ? bf16_hi(p.x) : f16_hi(p.x);
        float w2 = BF ? bf16_lo(p.y) : f16_lo(p.y), w3 = BF ? bf16_hi(p.y) : f16_hi(p.y);
        float w4 = BF ? bf16_lo(p.z) : f16_lo(p.z), w5 = BF ? bf16_hi(p.z) : f16_hi(p.z);
        float w6 = BF ? bf16_lo(p.w) : f16_lo(p.w), w7 = BF ? bf16_hi(p.w) : f16_hi(p.w);
        _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
            const float4* xr = (const float4*) (xs + (size_t) b * cols + 8 * u);
            fma4(acc[b], xr[0], w0, w1, w2, w3);
            fma4(acc[b], xr[1], w4, w5, w6, w7);
        }
    }
    MATMUL_EPILOGUE
}

// Q8_0, repacked: quants int8 [rows][cols], scales F16 [rows][cols/32]. A unit is half a block (16 quants).
template <int BT>
__device__ void mm_q8_0(const i8* __restrict__ q, const u16* __restrict__ d, const float* __restrict__ x,
                        float* __restrict__ y, int rows, int cols, int batch, int accumulate) {
    MATMUL_PROLOGUE
    const uint4* qr = (const uint4*) (q + (size_t) row * cols);
    const u16* dr = d + (size_t) row * (cols / 32);
    for (int u = lane; u < cols / 16; u += WARP) {
        uint4 p = __ldg(qr + u);
        float s = half_to_float(__ldg(dr + (u >> 1)));
        u32 words[4] = {p.x, p.y, p.z, p.w};
        _Pragma("unroll") for (int k = 0; k < 4; k++) {
            u32 v = words[k];
            float w0 = (float) (i8) (v & 0xff), w1 = (float) (i8) ((v >> 8) & 0xff);
            float w2 = (float) (i8) ((v >> 16) & 0xff), w3 = (float) (i8) (v >> 24);
            _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
                float4 a = *(const float4*) (xs + (size_t) b * cols + 16 * u + 4 * k);
                acc[b] += s * (a.x * w0 + a.y * w1 + a.z * w2 + a.w * w3);
            }
        }
    }
    MATMUL_EPILOGUE
}

// Q4_0, repacked: nibbles [rows][cols/2] (block k's 16 bytes: low nibble of byte j is element j, high is j + 16,
// stored value - 8), scales F16 [rows][cols/32]. A unit is one block.
template <int BT>
__device__ void mm_q4_0(const u8* __restrict__ q, const u16* __restrict__ d, const float* __restrict__ x,
                        float* __restrict__ y, int rows, int cols, int batch, int accumulate) {
    MATMUL_PROLOGUE
    const uint4* qr = (const uint4*) (q + (size_t) row * (cols / 2));
    const u16* dr = d + (size_t) row * (cols / 32);
    for (int u = lane; u < cols / 32; u += WARP) {
        uint4 p = __ldg(qr + u);
        float s = half_to_float(__ldg(dr + u));
        u32 words[4] = {p.x, p.y, p.z, p.w};
        _Pragma("unroll") for (int k = 0; k < 4; k++) {
            u32 v = words[k];
            float l0 = (float) ((int) (v & 0xf) - 8), l1 = (float) ((int) ((v >> 8) & 0xf) - 8);
            float l2 = (float) ((int) ((v >> 16) & 0xf) - 8), l3 = (float) ((int) ((v >> 24) & 0xf) - 8);
            float h0 = (float) ((int) ((v >> 4) & 0xf) - 8), h1 = (float) ((int) ((v >> 12) & 0xf) - 8);
            float h2 = (float) ((int) ((v >> 20) & 0xf) - 8), h3 = (float) ((int) ((v >> 28) & 0xf) - 8);
            _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
                const float* xb = xs + (size_t) b * cols + 32 * u;
                float4 a = *(const float4*) (xb + 4 * k);
                float4 c = *(const float4*) (xb + 16 + 4 * k);
                acc[b] += s * (a.x * l0 + a.y * l1 + a.z * l2 + a.w * l3 + c.x * h0 + c.y * h1 + c.z * h2 + c.w * h3);
            }
        }
    }
    MATMUL_EPILOGUE
}

// Q4_K, as stored in GGUF: super-blocks of 256 values in 144 bytes (d, dmin F16; 12 bytes of 6-bit scales and mins
// for 8 sub-blocks of 32; 128 bytes of nibbles). Lane l reads 4 bytes of nibbles: group i = l / 8 covers values
// 64i..64i+63, low nibbles sub-block 2i, high nibbles sub-block 2i + 1.
__device__ __forceinline__ void q4k_scale_min(const u8* s, int j, int& sc, int& m) {
    if (j < 4) {
        sc = s[j] & 63;
        m = s[j + 4] & 63;
    } else {
        sc = (s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4);
        m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

template <int BT>
__device__ void mm_q4_k(const u8* __restrict__ w, const float* __restrict__ x, float* __restrict__ y,
                        int rows, int cols, int batch, int accumulate) {
    MATMUL_PROLOGUE
    int superBlocks = cols / 256;
    const u8* wr = w + (size_t) row * superBlocks * 144;
    int group = lane >> 3, offset = (lane & 7) * 4;
    for (int sb = 0; sb < superBlocks; sb++) {
        const u8* block = wr + sb * 144;
        uint4 header = __ldg((const uint4*) block);
        u32 v = __ldg((const u32*) (block + 16) + lane);
        float d = f16_lo(header.x), dmin = f16_hi(header.x);
        u32 scales[3] = {header.y, header.z, header.w};
        const u8* s = (const u8*) scales;
        int sc0, m0, sc1, m1;
        q4k_scale_min(s, 2 * group, sc0, m0);
        q4k_scale_min(s, 2 * group + 1, sc1, m1);
        float d0 = d * sc0, n0 = dmin * m0, d1 = d * sc1, n1 = dmin * m1;
        float l0 = d0 * (float) (v & 0xf) - n0, l1 = d0 * (float) ((v >> 8) & 0xf) - n0;
        float l2 = d0 * (float) ((v >> 16) & 0xf) - n0, l3 = d0 * (float) ((v >> 24) & 0xf) - n0;
        float h0 = d1 * (float) ((v >> 4) & 0xf) - n1, h1 = d1 * (float) ((v >> 12) & 0xf) - n1;
        float h2 = d1 * (float) ((v >> 20) & 0xf) - n1, h3 = d1 * (float) ((v >> 28) & 0xf) - n1;
        int base = sb * 256 + 64 * group + offset;
        _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
            const float* xb = xs + (size_t) b * cols + base;
            fma4(acc[b], *(const float4*) xb, l0, l1, l2, l3);
            fma4(acc[b], *(const float4*) (xb + 32), h0, h1, h2, h3);
        }
    }
    MATMUL_EPILOGUE
}

// FP8 E4M3 with one F32 scale per rowBlock x columnBlock block (DeepSeek's weight_scale_inv); columnBlock is a
// multiple of 16, so a 16-byte unit has one scale.
template <int BT>
__device__ void mm_fp8(const u8* __restrict__ w, const float* __restrict__ scales, int rowBlock, int columnBlock,
                       const float* __restrict__ x, float* __restrict__ y, int rows, int cols, int batch,
                       int accumulate) {
    MATMUL_PROLOGUE
    const uint4* wr = (const uint4*) (w + (size_t) row * cols);
    int blockColumns = (cols + columnBlock - 1) / columnBlock;
    const float* sr = scales + (size_t) (row / rowBlock) * blockColumns;
    for (int u = lane; u < cols / 16; u += WARP) {
        uint4 p = __ldg(wr + u);
        float s = __ldg(sr + (16 * u) / columnBlock);
        u32 words[4] = {p.x, p.y, p.z, p.w};
        _Pragma("unroll") for (int k = 0; k < 4; k++) {
            u32 v = words[k];
            float w0 = fp8_to_float(v & 0xff), w1 = fp8_to_float((v >> 8) & 0xff);
            float w2 = fp8_to_float((v >> 16) & 0xff), w3 = fp8_to_float(v >> 24);
            _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
                float4 a = *(const float4*) (xs + (size_t) b * cols + 16 * u + 4 * k);
                acc[b] += s * (a.x * w0 + a.y * w1 + a.z * w2 + a.w * w3);
            }
        }
    }
    MATMUL_EPILOGUE
}

#define MATMUL_ENTRIES(BT)                                                                                          \
extern "C" __global__ void __launch_bounds__(256) matmul_f32_##BT(const float* w, const float* x, float* y,       \
        int rows, int cols, int batch, int accumulate) {                                                           \
    mm_f32<BT>(w, x, y, rows, cols, batch, accumulate);                                                             \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_bf16_##BT(const u16* w, const float* x, float* y,        \
        int rows, int cols, int batch, int accumulate) {                                                           \
    mm_16bit<BT, true>(w, x, y, rows, cols, batch, accumulate);                                                     \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_f16_##BT(const u16* w, const float* x, float* y,         \
        int rows, int cols, int batch, int accumulate) {                                                           \
    mm_16bit<BT, false>(w, x, y, rows, cols, batch, accumulate);                                                    \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_q8_0_##BT(const i8* q, const u16* d, const float* x,      \
        float* y, int rows, int cols, int batch, int accumulate) {                                                 \
    mm_q8_0<BT>(q, d, x, y, rows, cols, batch, accumulate);                                                         \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_q4_0_##BT(const u8* q, const u16* d, const float* x,      \
        float* y, int rows, int cols, int batch, int accumulate) {                                                 \
    mm_q4_0<BT>(q, d, x, y, rows, cols, batch, accumulate);                                                         \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_q4_k_##BT(const u8* w, const float* x, float* y,         \
        int rows, int cols, int batch, int accumulate) {                                                           \
    mm_q4_k<BT>(w, x, y, rows, cols, batch, accumulate);                                                            \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_fp8_##BT(const u8* w, const float* scales, int rowBlock,  \
        int columnBlock, const float* x, float* y, int rows, int cols, int batch, int accumulate) {                \
    mm_fp8<BT>(w, scales, rowBlock, columnBlock, x, y, rows, cols, batch, accumulate);                              \
}

MATMUL_ENTRIES(1)
MATMUL_ENTRIES(8)
MATMUL_ENTRIES(16)
MATMUL_ENTRIES(32)

// ---- int8 products over quantized activations (the jetson backend) ----------------------------------------------
// Activations are first quantized per block of 32 values (quantize_q8: int8 values, F32 scale amax/127, as llama.cpp's
// Q8_1 without its sum), then each weight block is an integer dot product (dp4a) scaled once.

extern "C" __global__ void quantize_q8(const float* __restrict__ x, i8* __restrict__ qx, float* __restrict__ dx,
                                       int cols, int batch) {
    int block = blockIdx.x * (blockDim.x / WARP) + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    int blocksPerRow = cols / 32;
    if (block >= blocksPerRow * batch) return;
    float v = x[(size_t) block * 32 + lane];
    float amax = warp_max(fabsf(v));
    float d = amax / 127.f;
    int q = d == 0.f ? 0 : __float2int_rn(v / d);
    qx[(size_t) block * 32 + lane] = (i8) q;
    if (lane == 0) dx[block] = d;
}

#define INT8_PROLOGUE                                                                    \
    int row = blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);                          \
    int lane = threadIdx.x & 31;                                                         \
    int b0 = blockIdx.y * BT;                                                            \
    if (row >= rows) return;                                                             \
    int nb = batch - b0 < BT ? batch - b0 : BT;                                          \
    const i8* qxs = qx + (size_t) b0 * cols;                                             \
    const float* dxs = dx + (size_t) b0 * (cols / 32);                                   \
    float acc[BT];                                                                       \
    _Pragma("unroll") for (int b = 0; b < BT; b++) acc[b] = 0.f;

template <int BT>
__device__ void mmi_q8_0(const i8* __restrict__ q, const u16* __restrict__ d, const i8* __restrict__ qx,
                         const float* __restrict__ dx, float* __restrict__ y, int rows, int cols, int batch,
                         int accumulate) {
    INT8_PROLOGUE
    const uint4* qr = (const uint4*) (q + (size_t) row * cols);
    const u16* dr = d + (size_t) row * (cols / 32);
    for (int u = lane; u < cols / 16; u += WARP) {
        uint4 p = __ldg(qr + u);
        float s = half_to_float(__ldg(dr + (u >> 1)));
        _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
            int4 a = *(const int4*) (qxs + (size_t) b * cols + 16 * u);
            int sum = dp4a((int) p.x, a.x, 0);
            sum = dp4a((int) p.y, a.y, sum);
            sum = dp4a((int) p.z, a.z, sum);
            sum = dp4a((int) p.w, a.w, sum);
            acc[b] += s * dxs[(size_t) b * (cols / 32) + (u >> 1)] * (float) sum;
        }
    }
    MATMUL_EPILOGUE
}

template <int BT>
__device__ void mmi_q4_0(const u8* __restrict__ q, const u16* __restrict__ d, const i8* __restrict__ qx,
                         const float* __restrict__ dx, float* __restrict__ y, int rows, int cols, int batch,
                         int accumulate) {
    INT8_PROLOGUE
    const uint4* qr = (const uint4*) (q + (size_t) row * (cols / 2));
    const u16* dr = d + (size_t) row * (cols / 32);
    for (int u = lane; u < cols / 32; u += WARP) {
        uint4 p = __ldg(qr + u);
        float s = half_to_float(__ldg(dr + u));
        int lo[4] = {(int) (p.x & 0x0f0f0f0fu), (int) (p.y & 0x0f0f0f0fu), (int) (p.z & 0x0f0f0f0fu), (int) (p.w & 0x0f0f0f0fu)};
        int hi[4] = {(int) ((p.x >> 4) & 0x0f0f0f0fu), (int) ((p.y >> 4) & 0x0f0f0f0fu),
                     (int) ((p.z >> 4) & 0x0f0f0f0fu), (int) ((p.w >> 4) & 0x0f0f0f0fu)};
        _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
            const int4* xb = (const int4*) (qxs + (size_t) b * cols + 32 * u);
            int4 a = xb[0], c = xb[1];
            int sum = dp4a(lo[0], a.x, 0);
            sum = dp4a(lo[1], a.y, sum);
            sum = dp4a(lo[2], a.z, sum);
            sum = dp4a(lo[3], a.w, sum);
            sum = dp4a(hi[0], c.x, sum);
            sum = dp4a(hi[1], c.y, sum);
            sum = dp4a(hi[2], c.z, sum);
            sum = dp4a(hi[3], c.w, sum);
            int xsum = dp4a(0x01010101, a.x, 0);
            xsum = dp4a(0x01010101, a.y, xsum);
            xsum = dp4a(0x01010101, a.z, xsum);
            xsum = dp4a(0x01010101, a.w, xsum);
            xsum = dp4a(0x01010101, c.x, xsum);
            xsum = dp4a(0x01010101, c.y, xsum);
            xsum = dp4a(0x01010101, c.z, xsum);
            xsum = dp4a(0x01010101, c.w, xsum);
            acc[b] += s * dxs[(size_t) b * (cols / 32) + u] * (float) (sum - 8 * xsum);
        }
    }
    MATMUL_EPILOGUE
}

template <int BT>
__device__ void mmi_q4_k(const u8* __restrict__ w, const i8* __restrict__ qx, const float* __restrict__ dx,
                         float* __restrict__ y, int rows, int cols, int batch, int accumulate) {
    INT8_PROLOGUE
    int superBlocks = cols / 256;
    const u8* wr = w + (size_t) row * superBlocks * 144;
    int group = lane >> 3, offset = (lane & 7) * 4;
    for (int sb = 0; sb < superBlocks; sb++) {
        const u8* block = wr + sb * 144;
        uint4 header = __ldg((const uint4*) block);
        u32 v = __ldg((const u32*) (block + 16) + lane);
        float d = f16_lo(header.x), dmin = f16_hi(header.x);
        u32 scales[3] = {header.y, header.z, header.w};
        const u8* s = (const u8*) scales;
        int sc0, m0, sc1, m1;
        q4k_scale_min(s, 2 * group, sc0, m0);
        q4k_scale_min(s, 2 * group + 1, sc1, m1);
        int lo = (int) (v & 0x0f0f0f0fu), hi = (int) ((v >> 4) & 0x0f0f0f0fu);
        int base = sb * 256 + 64 * group + offset;
        int xblock = sb * 8 + 2 * group;
        _Pragma("unroll") for (int b = 0; b < BT; b++) if (b < nb) {
            const i8* xb = qxs + (size_t) b * cols + base;
            int a = *(const int*) xb, c = *(const int*) (xb + 32);
            const float* db = dxs + (size_t) b * (cols / 32) + xblock;
            acc[b] += db[0] * (d * sc0 * (float) dp4a(lo, a, 0) - dmin * m0 * (float) dp4a(0x01010101, a, 0))
                    + db[1] * (d * sc1 * (float) dp4a(hi, c, 0) - dmin * m1 * (float) dp4a(0x01010101, c, 0));
        }
    }
    MATMUL_EPILOGUE
}

#define INT8_ENTRIES(BT)                                                                                            \
extern "C" __global__ void __launch_bounds__(256) matmul_i8_q8_0_##BT(const i8* q, const u16* d, const i8* qx,     \
        const float* dx, float* y, int rows, int cols, int batch, int accumulate) {                                \
    mmi_q8_0<BT>(q, d, qx, dx, y, rows, cols, batch, accumulate);                                                   \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_i8_q4_0_##BT(const u8* q, const u16* d, const i8* qx,     \
        const float* dx, float* y, int rows, int cols, int batch, int accumulate) {                                \
    mmi_q4_0<BT>(q, d, qx, dx, y, rows, cols, batch, accumulate);                                                   \
}                                                                                                                   \
extern "C" __global__ void __launch_bounds__(256) matmul_i8_q4_k_##BT(const u8* w, const i8* qx, const float* dx,  \
        float* y, int rows, int cols, int batch, int accumulate) {                                                 \
    mmi_q4_k<BT>(w, qx, dx, y, rows, cols, batch, accumulate);                                                      \
}

INT8_ENTRIES(1)
INT8_ENTRIES(8)
INT8_ENTRIES(16)
INT8_ENTRIES(32)

// ---- the rest of a transformer block -----------------------------------------------------------------------------

// One block per row: out = x / sqrt(mean(x^2) + eps) * w.
extern "C" __global__ void rms_norm(const float* __restrict__ x, const float* __restrict__ w, float* out, int width,
                                    float eps) {
    __shared__ float partial[32];
    const float* xr = x + (size_t) blockIdx.x * width;
    float sum = 0.f;
    for (int i = threadIdx.x; i < width; i += blockDim.x) sum += xr[i] * xr[i];
    sum = warp_sum(sum);
    if ((threadIdx.x & 31) == 0) partial[threadIdx.x >> 5] = sum;
    __syncthreads();
    if (threadIdx.x < 32) {
        float v = threadIdx.x < blockDim.x / 32 ? partial[threadIdx.x] : 0.f;
        v = warp_sum(v);
        if (threadIdx.x == 0) partial[0] = v;
    }
    __syncthreads();
    float scale = rsqrtf(partial[0] / width + eps);
    float* o = out + (size_t) blockIdx.x * width;
    for (int i = threadIdx.x; i < width; i += blockDim.x) o[i] = xr[i] * scale * w[i];
}

extern "C" __global__ void add(float* x, const float* __restrict__ y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += y[i];
}

// x[r][c] += bias[c] for c < width, rows of stride `stride`.
extern "C" __global__ void add_bias(float* x, const float* __restrict__ bias, int rows, int width, int stride) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * width) return;
    int r = i / width, c = i % width;
    x[(size_t) r * stride + c] += bias[c];
}

// out[r][i] = silu(gu[r][i]) * gu[r][width + i]: gate and up products side by side in one row.
extern "C" __global__ void swiglu(const float* __restrict__ gu, float* __restrict__ out, int rows, int width) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * width) return;
    int r = i / width, c = i % width;
    float g = gu[(size_t) r * 2 * width + c];
    float u = gu[(size_t) r * 2 * width + width + c];
    out[i] = g / (1.f + expf(-g)) * u;
}

// Rotates `heads` heads of headDim starting at column `first` of each row (stride `stride`); cs holds per row
// headDim/2 cosines then headDim/2 sines. halves != 0: pairs (i, i + headDim/2) (NEOX); else (2i, 2i + 1).
extern "C" __global__ void rope(float* x, const float* __restrict__ cs, int rows, int stride, int first, int heads,
                                int headDim, int halves) {
    int half = headDim / 2;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * heads * half) return;
    int r = i / (heads * half), h = (i / half) % heads, k = i % half;
    float* base = x + (size_t) r * stride + first + h * headDim;
    int a = halves ? k : 2 * k, b = halves ? k + half : 2 * k + 1;
    float c = cs[(size_t) r * headDim + k], s = cs[(size_t) r * headDim + half + k];
    float x0 = base[a], x1 = base[b];
    base[a] = x0 * c - x1 * s;
    base[b] = x0 * s + x1 * c;
}

// Where each token of a forward chunk keeps its sequence's cache: [layers][2 (keys, values)][capacity][kvWidth].
struct KvSlot {
    u64 cache;
    int capacity;
    int position;
};

__device__ __forceinline__ float* kv_row(const KvSlot& s, int layer, int which, int position, int kvWidth) {
    return (float*) s.cache + (((size_t) layer * 2 + which) * s.capacity + position) * kvWidth;
}

// Copies each row's key (columns kOffset..) and value (vOffset..) into its sequence's cache at its position.
extern "C" __global__ void store_kv(const float* __restrict__ qkv, const KvSlot* __restrict__ slots, int rows,
                                    int stride, int kOffset, int vOffset, int kvWidth, int layer) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * kvWidth) return;
    int r = i / kvWidth, c = i % kvWidth;
    KvSlot s = slots[r];
    kv_row(s, layer, 0, s.position, kvWidth)[c] = qkv[(size_t) r * stride + kOffset + c];
    kv_row(s, layer, 1, s.position, kvWidth)[c] = qkv[(size_t) r * stride + vOffset + c];
}

// Causal grouped-query attention of one (head, row) per block over positions 0..position of the row's sequence.
// Scores go through `scores` (rows x heads x maxPositions floats), so any context length fits.
extern "C" __global__ void attention(const float* __restrict__ qkv, const KvSlot* __restrict__ slots, int stride,
                                     int heads, int kvHeads, int headDim, int layer, float scale,
                                     float* __restrict__ scores, int maxPositions, float* __restrict__ out) {
    __shared__ float reduce[32];
    int h = blockIdx.x, r = blockIdx.y;
    KvSlot s = slots[r];
    int positions = s.position + 1;
    int kvWidth = kvHeads * headDim;
    int kvHead = h / (heads / kvHeads);
    const float* q = qkv + (size_t) r * stride + h * headDim;
    float* sc = scores + ((size_t) r * heads + h) * maxPositions;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = blockDim.x >> 5;
    float localMax = -3.0e38f;
    for (int p = warp; p < positions; p += warps) {
        const float* k = kv_row(s, layer, 0, p, kvWidth) + kvHead * headDim;
        float dot = 0.f;
        for (int d = lane; d < headDim; d += WARP) dot += q[d] * k[d];
        dot = warp_sum(dot) * scale;
        if (lane == 0) sc[p] = dot;
        localMax = fmaxf(localMax, dot);
    }
    localMax = warp_max(localMax);
    if (lane == 0) reduce[warp] = localMax;
    __syncthreads();
    float max = reduce[0];
    for (int w = 1; w < warps; w++) max = fmaxf(max, reduce[w]);
    __syncthreads();
    float localSum = 0.f;
    for (int p = threadIdx.x; p < positions; p += blockDim.x) {
        float e = expf(sc[p] - max);
        sc[p] = e;
        localSum += e;
    }
    localSum = warp_sum(localSum);
    if (lane == 0) reduce[warp] = localSum;
    __syncthreads();
    float sum = 0.f;
    for (int w = 0; w < warps; w++) sum += reduce[w];
    float inv = 1.f / sum;
    float* o = out + (size_t) r * heads * headDim + h * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float acc = 0.f;
        for (int p = 0; p < positions; p++) acc += sc[p] * kv_row(s, layer, 1, p, kvWidth)[kvHead * headDim + d];
        o[d] = acc * inv;
    }
}

// out[i] = x[index[i]] row by row (the rows whose logits a chunk emits).
extern "C" __global__ void gather_rows(const float* __restrict__ x, const int* __restrict__ index,
                                       float* __restrict__ out, int rows, int width) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * width) return;
    int r = i / width, c = i % width;
    out[i] = x[(size_t) index[r] * width + c];
}
