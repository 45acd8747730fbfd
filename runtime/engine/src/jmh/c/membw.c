/* Memory read bandwidth: sums a 1 GiB float buffer with AVX2 loads on every OpenMP thread, 5 times.
 * Build and run (docs/benchmarks.md):
 *   gcc -O2 -mavx2 -fopenmp runtime/src/jmh/c/membw.c -o /tmp/membw && OMP_NUM_THREADS=2 /tmp/membw */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t n = (size_t) 1 << 28;
    float *a = aligned_alloc(64, n * sizeof(float));
    memset(a, 1, n * sizeof(float));
    for (int rep = 0; rep < 5; rep++) {
        double start = omp_get_wtime();
        __m256 total = _mm256_setzero_ps();
#pragma omp parallel
        {
            __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
#pragma omp for
            for (size_t i = 0; i < n; i += 32) {
                s0 = _mm256_add_ps(s0, _mm256_load_ps(a + i));
                s1 = _mm256_add_ps(s1, _mm256_load_ps(a + i + 8));
                s2 = _mm256_add_ps(s2, _mm256_load_ps(a + i + 16));
                s3 = _mm256_add_ps(s3, _mm256_load_ps(a + i + 24));
            }
#pragma omp critical
            total = _mm256_add_ps(total, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
        }
        double seconds = omp_get_wtime() - start;
        float lanes[8];
        _mm256_storeu_ps(lanes, total);
        printf("%d threads: %.1f GB/s (checksum %g)\n", omp_get_max_threads(), n * sizeof(float) / seconds / 1e9, lanes[0]);
    }
    free(a);
    return 0;
}
