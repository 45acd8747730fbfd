#!/usr/bin/env bash
# Builds and runs the JMH kernel benchmarks (src/jmh/java, Maven profile "bench"; CI never runs them).
# Arguments go to JMH, e.g.:  runtime/jmh.sh MatVec -p type=Q8_0      runtime/jmh.sh -l      runtime/jmh.sh -h
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
(cd "$root" && ./mvnw -q -B -Pbench -pl runtime/engine -am -DskipTests test-compile) >&2
target="$root/runtime/engine/target"
exec "$java" --add-modules jdk.incubator.vector -cp "$target/test-classes:$target/classes:$(cat "$target/jmh-classpath.txt")" \
  org.openjdk.jmh.Main "$@"
