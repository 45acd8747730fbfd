#!/usr/bin/env bash
# Sync benchmarks (docs/benchmarks.md). Usage: sync-agent/bench/run.sh [MODEL_MB=512] [TENSOR_MB=32]
# Needs: JDK 25, and `aws` (Debian package awscli) on PATH for the aws s3 sync comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -pl sync-agent -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/sync-agent/target/bench.classpath" -Dmdep.includeScope=test
cp="sync-agent/target/test-classes:sync-agent/target/classes:$(cat sync-agent/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" -Xmx6g -XX:+UseParallelGC -cp "$cp" ai.appliance.sync.bench.SyncBenchmark "$@"
