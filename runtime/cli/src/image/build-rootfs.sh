#!/usr/bin/env bash
# Builds the extra root filesystem the `image` Maven profile puts under Jib's `scratch` base: a jlink'd JRE of
# the build JDK plus the glibc runtime it links against, a passwd entry for the non-root user and /tmp.
# Why: only Maven Central, Debian and npm are reachable here (no Docker Hub), so there is no base image to pull;
# `scratch` + this folder needs no registry and no Docker daemon. The glibc files come from the build host's
# Debian libc6 package, so build on the Debian release the image should carry (bookworm here).
set -euo pipefail
out="$1"
java_home="${JAVA_HOME:?JAVA_HOME must point at the JDK 25 that builds the image}"
rm -rf "$out"
mkdir -p "$out/opt/appliance" "$out/etc" "$out/tmp" "$out/lib/x86_64-linux-gnu" "$out/lib64"
# Modules the runtime and its libraries use (java.desktop: java.beans for Jinjava; java.sql: Jackson's date types).
"$java_home/bin/jlink" --output "$out/opt/appliance/jre" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 \
  --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.desktop,jdk.httpserver,jdk.incubator.vector,jdk.unsupported,jdk.zipfs,jdk.management,jdk.crypto.cryptoki
for lib in libc.so.6 libdl.so.2 libm.so.6 libpthread.so.0 librt.so.1; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$out/lib/x86_64-linux-gnu/$lib"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/ld-linux-x86-64.so.2"
cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
appliance:x:10001:10001:appliance:/var/lib/appliance:/sbin/nologin
PASSWD
echo 'appliance:x:10001:' > "$out/etc/group"
mkdir -p "$out/var/lib/appliance/models" "$out/etc/appliance/tls"
echo "rootfs ready in $out ($(du -sh "$out" | cut -f1))"
