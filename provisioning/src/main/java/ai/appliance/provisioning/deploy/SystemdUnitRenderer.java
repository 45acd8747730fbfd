package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.plan.Plan;

import java.util.Map;

/**
 * A hardened systemd unit plus the small supervisor script it starts. The JVM cannot send sd_notify datagrams
 * itself, so the script starts it, reports READY=1 once /health/ready answers and WATCHDOG=1 while /health/live
 * answers (NotifyAccess=all); if the server hangs, the pings stop and systemd restarts the service.
 */
public final class SystemdUnitRenderer {

    public static final int WATCHDOG_SECONDS = 60;

    /** File name to content: appliance.service and appliance-supervise.sh. */
    public Map<String, String> render(Plan plan, DeploySettings s) {
        var resources = HostResources.of(plan);
        var devices = switch (plan.backend()) {
            case "datacenter" -> """
                    # CUDA needs the NVIDIA device nodes and nothing else from /dev.
                    DevicePolicy=closed
                    DeviceAllow=/dev/nvidiactl rw
                    DeviceAllow=/dev/nvidia-uvm rw
                    DeviceAllow=/dev/nvidia-uvm-tools rw
                    DeviceAllow=char-nvidia-frontend rw
                    DeviceAllow=char-nvidia-caps rw
                    """;
            // Device nodes of Jetson's integrated GPU differ between L4T releases (nvhost-*, nvgpu/igpu0/*, nvmap,
            // host1x-fence): an allow-list would break CUDA on some; the other protections still apply.
            case "jetson" -> "PrivateDevices=no\n";
            default -> "PrivateDevices=yes\n";
        };
        var unit = """
                # Rendered by `appliance provision render systemd` for plan: %s %s, profile %s, backend %s.
                [Unit]
                Description=Appliance LLM runtime (%s %s)
                Documentation=file:%s/docs/provisioning.md
                Wants=network-online.target
                After=network-online.target%s
                # Give up after 5 failed starts in 10 minutes instead of looping forever on a broken model.
                StartLimitIntervalSec=600
                StartLimitBurst=5

                [Service]
                Type=notify
                NotifyAccess=all
                ExecStart=%s/bin/appliance-supervise.sh %s
                Restart=always
                RestartSec=5s
                # Loading a large model takes minutes; draining in-flight requests takes up to a minute.
                TimeoutStartSec=900
                TimeoutStopSec=90
                WatchdogSec=%d
                User=%s
                Group=%s
                UMask=0077
                Environment=APPLIANCE_JAVA_OPTS=-XX:+ExitOnOutOfMemoryError

                # Host memory from the plan (HostResources; docs/provisioning.md, section 6).
                MemoryHigh=%d
                MemoryMax=%d
                OOMPolicy=stop

                # Hardening: read-only system, private /tmp, no privilege gain, no kernel or namespace access.
                NoNewPrivileges=yes
                ProtectSystem=strict
                ProtectHome=yes
                PrivateTmp=yes
                ReadOnlyPaths=%s
                ReadWritePaths=%s
                StateDirectory=appliance
                LogsDirectory=appliance
                ProtectKernelTunables=yes
                ProtectKernelModules=yes
                ProtectKernelLogs=yes
                ProtectControlGroups=yes
                ProtectClock=yes
                ProtectHostname=yes
                ProtectProc=invisible
                RestrictNamespaces=yes
                RestrictRealtime=yes
                RestrictSUIDSGID=yes
                LockPersonality=yes
                RemoveIPC=yes
                CapabilityBoundingSet=
                AmbientCapabilities=
                RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
                SystemCallArchitectures=native
                SystemCallFilter=@system-service
                SystemCallErrorNumber=EPERM
                # The JIT writes and then executes code: MemoryDenyWriteExecute would stop the JVM.
                MemoryDenyWriteExecute=no
                %s
                [Install]
                WantedBy=multi-user.target
                """.formatted(plan.model(), plan.quantization(), plan.profile(), plan.backend(), plan.model(),
                plan.quantization(), s.installDirectory(),
                "datacenter".equals(plan.backend()) ? " nvidia-persistenced.service" : "",
                s.installDirectory(), String.join(" ", s.serveArguments()), WATCHDOG_SECONDS, s.user(), s.user(),
                resources.memoryRequestBytes(), resources.memoryLimitBytes(), s.configDirectory(),
                s.stateDirectory(), devices);
        var script = """
                #!/bin/sh
                # Supervises the appliance JVM for systemd (Type=notify, WatchdogSec=%d): READY=1 when
                # /health/ready answers, WATCHDOG=1 every %d s while /health/live answers. Exits with the JVM.
                set -u
                %s/appliance "$@" &
                jvm=$!
                trap 'kill -TERM "$jvm" 2>/dev/null' TERM INT
                base="http://127.0.0.1:%d"
                until curl -fsS -o /dev/null "$base/health/ready"; do
                  kill -0 "$jvm" 2>/dev/null || { wait "$jvm"; exit $?; }
                  systemd-notify --status="loading model"
                  sleep 2
                done
                systemd-notify --ready --status="serving"
                while kill -0 "$jvm" 2>/dev/null; do
                  if curl -fsS -m 5 -o /dev/null "$base/health/live"; then systemd-notify WATCHDOG=1; fi
                  sleep %d
                done
                wait "$jvm"
                """.formatted(WATCHDOG_SECONDS, WATCHDOG_SECONDS / 3, s.installDirectory(), s.healthPort(),
                WATCHDOG_SECONDS / 3);
        return Map.of("appliance.service", unit, "appliance-supervise.sh", script);
    }
}
