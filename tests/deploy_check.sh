#!/usr/bin/env bash
# Checks what can be checked of deploy/ without Docker or a cluster:
# the systemd unit passes systemd-analyze verify (against the built
# rectrackd), the Kubernetes manifests parse and hold the expected objects
# with gRPC health probes, and the Dockerfile builds with the same scripts
# as the README. Exits 77 (skipped) when a checking tool is not installed.
# Usage: deploy_check.sh SOURCE_DIR RECTRACKD
set -euo pipefail
src=$1
rectrackd=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -q 'bash deploy/install-deps.sh' "$src/deploy/Dockerfile"
grep -q 'bash deploy/build.sh' "$src/deploy/Dockerfile"
grep -q '^USER rectrack' "$src/deploy/Dockerfile"
grep -q '^HEALTHCHECK' "$src/deploy/Dockerfile"
grep -q '"health"' "$src/deploy/Dockerfile"
grep -q 'RECTRACK_TLS_CERT=' "$src/deploy/Dockerfile"

# The example config is one rectrackd accepts: --help exits before
# serving, so check it by starting on a free port and stopping at once.
cfg="$tmp/rectrack.conf"
sed "s|/var/lib/rectrack|$tmp/data|; s|127.0.0.1:50051|127.0.0.1:0|" \
  "$src/deploy/rectrack.conf.example" > "$cfg"
"$rectrackd" --config "$cfg" --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
kill -TERM $pid; wait $pid
[ -s "$tmp/port" ] || { cat "$tmp/log"; exit 1; }
[ -f "$tmp/data/CURRENT" ] || { echo "the example config's data-dir was not used"; exit 1; }

command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
sed "s|/usr/local/bin/rectrackd|$rectrackd|" "$src/deploy/rectrackd.service" \
  > "$tmp/rectrackd.service"
# verify prints problems and exits non-zero on errors in the unit.
out=$(systemd-analyze verify "$tmp/rectrackd.service" 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "$out"; exit 1; }

python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: no python3-yaml"; exit 77; }
python3 - "$src/deploy/k8s/rectrack.yaml" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kinds = [d["kind"] for d in docs]
assert kinds == ["Service", "StatefulSet", "CronJob"], kinds
pod = docs[1]["spec"]["template"]["spec"]
c = pod["containers"][0]
for probe in ("readinessProbe", "livenessProbe"):
    assert c[probe]["exec"]["command"][-1] == "health", c[probe]
env = {e["name"]: e["value"] for e in c["env"]}
assert env["RECTRACK_TLS_CERT"].startswith("/etc/rectrack/tls/"), env
assert any(m["mountPath"] == "/etc/rectrack/tls" for m in c["volumeMounts"])
assert docs[1]["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
job = docs[2]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
assert job["args"][-2:] == ["backup", "/data/backups"], job["args"]
assert "--tls-ca" in job["args"], job["args"]
assert job["env"][0]["name"] == "RECTRACK_TOKEN", job["env"]
print("deploy files check out")
PY
