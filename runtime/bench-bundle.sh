#!/usr/bin/env bash
# Builds a folder that runs `bench` and `synth` on another x86-64 Linux machine without Java: a jlink'd JRE
# of the build JDK, the runtime jar and the few libraries those two commands load, and a launcher.
# Why: benchmark hosts (the GPU host's CPU, a customer's server) often have no JDK and no network, and the
# whole runtime with its server libraries (~110 MB) is more than a small transfer allows; this is ~55 MB.
#
#   runtime/bench-bundle.sh .device            # then, on the other machine, in the copied folder's parent:
#   .device/bench synth --model deepseek-r1-distill-qwen-1.5b --type q8_0 --out /tmp/q8.gguf
#   .device/bench bench -m /tmp/q8.gguf -p 0 -n 128 -s 1,4,8,16 -r 3
#
# The folder name is free; .device/ is ignored by git.
set -euo pipefail
out="${1:?usage: runtime/bench-bundle.sh OUTPUT_FOLDER}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java_home="${JAVA_HOME:?JAVA_HOME must point at a JDK 25}"
(cd "$root" && ./mvnw -q -B -DskipTests package -pl runtime/cli -am) >&2
lib="$root/runtime/cli/target/lib"
rm -rf "$out"
mkdir -p "$out/lib"
cp "$root/runtime/cli/target/appliance-cli.jar" "$out/lib/"
# The CLI builds every subcommand's model at start (picocli), so the sync agent's and provisioning's classes and
# the Jackson types their methods name must load, though bench never runs them; logging as the full runtime does.
for jar in picocli appliance-engine appliance-datacenter appliance-jetson appliance-server appliance-common appliance-sync-agent appliance-provisioning jackson-annotations jackson-core \
    jackson-databind slf4j-api slf4j-jdk14; do
  found=("$lib/$jar"-[0-9]*.jar)
  [[ -e "${found[0]}" ]] || { echo "bench-bundle: $jar not found in $lib" >&2; exit 1; }
  cp "${found[@]}" "$out/lib/"
done
# Uncompressed modules: the folder is usually packed for the transfer, and xz packs them better than jlink's zip.
"$java_home/bin/jlink" --output "$out/jre" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
  --add-modules java.base,java.logging,java.management,java.net.http,java.xml,jdk.incubator.vector,jdk.unsupported
# libjvm.so carries a symbol table (~4 MB here) that the JVM does not need to run.
strip --strip-unneeded "$out/jre/lib/server/libjvm.so" 2>/dev/null || echo "bench-bundle: strip not found, libjvm.so left as is" >&2
cat > "$out/bench" <<'LAUNCHER'
#!/usr/bin/env bash
# Runs the appliance CLI (bench, synth) with the bundled JRE. Extra JVM flags: APPLIANCE_JAVA_OPTS.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmn64m \
  ${APPLIANCE_JAVA_OPTS:-} -cp "$here/lib/*" ai.appliance.runtime.cli.Main "$@"
LAUNCHER
chmod +x "$out/bench"
echo "bench bundle ready in $out ($(du -sh "$out" | cut -f1))"
