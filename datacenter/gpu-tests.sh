#!/usr/bin/env bash
# The tests tagged `gpu` (CUDA kernels against the CPU backend, every fixture through the cuda and jetson backends)
# need an NVIDIA GPU, which build machines do not have; the build skips them. This script packs them for a GPU host
# that has the NVIDIA driver and NVRTC but no Java, and runs them there.
#
#   datacenter/gpu-tests.sh bundle .gpu      # here: JRE (jlink), jars, test classes, fixtures -> .gpu/*.tar.xz
#   .gpu/run-gpu-tests.sh                    # there, from the repository root: unpacks to /tmp, runs JUnit
#
# The fixtures travel as an archive and are unpacked to ../shared/fixtures beside the repository root, where the
# tests look for them. Reports go to $OUT (or ./gpu-test-reports).
set -euo pipefail
command="${1:?usage: datacenter/gpu-tests.sh bundle OUTPUT_FOLDER}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ "$command" == bundle ]] || { echo "unknown command $command" >&2; exit 2; }
out="$(mkdir -p "${2:?output folder}" && cd "$2" && pwd)"
if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
cd "$root"
./mvnw -q -B -DskipTests install -pl jetson -am >&2
./mvnw -q -B dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 >&2
./mvnw -q -B -pl jetson dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath.txt" >&2
stage="$(mktemp -d)"
mkdir -p "$stage/gpu/lib" "$stage/gpu/classes"
# JUnit itself comes with the console launcher.
tr ':' '\n' < "$out/classpath.txt" | grep -v -E '/(junit-|opentest4j|apiguardian)' | while read -r jar; do
  [[ -f "$jar" ]] && cp "$jar" "$stage/gpu/lib/"
done
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar "$stage/gpu/"
cp jetson/target/appliance-jetson-*.jar "$stage/gpu/lib/"   # the module's own jar: its provider's service entry
cp -r datacenter/target/test-classes "$stage/gpu/classes/datacenter"
cp -r jetson/target/test-classes "$stage/gpu/classes/jetson"
# Uncompressed modules: xz packs them to less than jlink's own zip would (the transfer to a GPU host is size-bound).
"$JAVA_HOME/bin/jlink" --output "$stage/gpu/jre" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
  --add-modules java.base,java.logging,java.management,java.xml,jdk.incubator.vector,jdk.unsupported
strip --strip-unneeded "$stage/gpu/jre/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$stage" -cf - gpu | xz -T2 -9 > "$out/gpu-tests.tar.xz"
tar -C "$root/../shared" -cf - fixtures/README.md fixtures/models | xz -T2 -9 > "$out/fixtures.tar.xz"
rm -rf "$stage" "$out/classpath.txt"
cat > "$out/run-gpu-tests.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the gpu-tagged tests from the repository root; extra arguments go to JUnit's console launcher.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p /tmp/appliance-gpu ../shared
tar -C /tmp/appliance-gpu -xJf "$here/gpu-tests.tar.xz"
[[ -d ../shared/fixtures ]] || tar -C ../shared -xJf "$here/fixtures.tar.xz"
g=/tmp/appliance-gpu/gpu
reports="${OUT:-gpu-test-reports}"
"$g/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m \
  -jar "$g/junit-platform-console-standalone-1.14.1.jar" execute \
  --class-path "$g/classes/datacenter:$g/classes/jetson:$(ls "$g"/lib/*.jar | tr '\n' ':')" \
  --scan-class-path "$g/classes/datacenter:$g/classes/jetson" --include-tag gpu \
  --details=tree --disable-banner --reports-dir "$reports" "$@"
RUN
chmod +x "$out/run-gpu-tests.sh"
echo "gpu test bundle in $out: $(du -sh "$out" | cut -f1)"
