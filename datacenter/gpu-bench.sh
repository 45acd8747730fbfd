#!/usr/bin/env bash
# GPU benchmarks of docs/benchmarks.md ("GPU backends"), run on the GPU host from the repository root with the bench
# bundle (runtime/bench-bundle.sh, packed as .gpu/bench.tar.xz) and, for the side-by-side figures, llama.cpp's source
# (.gpu/llama-src.tar.xz), built there with CUDA for the GPU found. Synthesizes the models (same seed: the same bytes
# on every host), runs `bench` on the cuda and jetson backends and llama.cpp's llama-bench / llama-batched-bench on
# the same files. Results go to $OUT (or ./gpu-bench-results).
#
#   datacenter/gpu-bench.sh [MODEL:TYPE ...]     default: 1.5B and 8B distills in bf16, q8_0, q4_k
set -uo pipefail
out="${OUT:-gpu-bench-results}"
mkdir -p "$out" /tmp/appliance-bench /tmp/models
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(deepseek-r1-distill-qwen-1.5b:bf16 deepseek-r1-distill-llama-8b:bf16
  deepseek-r1-distill-qwen-1.5b:q8_0 deepseek-r1-distill-llama-8b:q8_0 deepseek-r1-distill-qwen-1.5b:q4_k
  deepseek-r1-distill-llama-8b:q4_k)
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv | tee "$out/gpu.txt"
llama=""
if [[ -f .gpu/llama-src.tar.xz ]]; then
  mkdir -p /tmp/llama && tar -C /tmp/llama -xJf .gpu/llama-src.tar.xz
  ( cd /tmp/llama && cmake -B build -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DLLAMA_BUILD_TESTS=OFF \
      -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF -DCMAKE_BUILD_TYPE=Release > cmake.log 2>&1 \
    && cmake --build build --target llama-bench llama-batched-bench -j "$(nproc)" > build.log 2>&1; echo "llama.cpp build rc=$?" ) \
    > "$out/llama-build.txt" 2>&1 &
  llama=$!
fi
tar -C /tmp/appliance-bench -xJf .gpu/bench.tar.xz
b=/tmp/appliance-bench/bench/bench
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
export APPLIANCE_KERNEL_CACHE=/tmp/kernel-cache
for m in "${models[@]}"; do
  name="${m%%:*}"; type="${m##*:}"; file="/tmp/models/$name-$type.gguf"
  [[ -f "$file" ]] || "$b" synth --model "$name" --type "$type" --out "$file" > /dev/null
  sha256sum "$file" | cut -c1-16 >> "$out/files.txt"; ls -la "$file" >> "$out/files.txt"
  for backend in cuda jetson; do
    [[ "$backend" == jetson && "$type" == bf16 ]] && continue
    echo "== $backend $name $type" | tee -a "$out/appliance.txt"
    "$b" bench -m "$file" --backend "$backend" -p 512 -n 64 -s 1,32 -r 3 2>&1 | grep -v WARNING | tee -a "$out/appliance.txt"
  done
done
if [[ -n "$llama" ]]; then
  wait "$llama"; cat "$out/llama-build.txt"; tail -5 /tmp/llama/build.log
  for m in "${models[@]}"; do
    name="${m%%:*}"; type="${m##*:}"; file="/tmp/models/$name-$type.gguf"
    echo "== llama.cpp $name $type" | tee -a "$out/llama.txt"
    /tmp/llama/build/bin/llama-bench -m "$file" -ngl 99 -p 512 -n 64 -r 3 2>&1 | grep -E "^\|" | tee -a "$out/llama.txt"
    /tmp/llama/build/bin/llama-batched-bench -m "$file" -ngl 99 -c 8192 -npp 128 -ntg 64 -npl 1,32 2>&1 \
      | grep -E "^\|" | tee -a "$out/llama.txt"
  done
fi
