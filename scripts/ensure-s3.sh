#!/usr/bin/env bash
# Make sure a real S3-compatible server with Object Lock answers on 127.0.0.1:7480 for
# the blob tests: Ceph's radosgw over a one-node Ceph cluster (one monitor, one OSD on
# BlueStore in a sparse file, no manager), from Debian's packages, installed if missing.
# A cluster left by an earlier run is restarted (its buckets kept); one that cannot be
# restarted is built anew. Prints nothing on success, and writes the endpoint and keys to
# $BRADY_S3_ENV (default /tmp/brady-s3.env) as lines the tests read from the environment:
#   BRADY_TEST_S3=http://127.0.0.1:7480
#   BRADY_TEST_S3_ACCESS_KEY=...
#   BRADY_TEST_S3_SECRET_KEY=...
# Load them with: set -a; . /tmp/brady-s3.env; set +a
# A test-only server: nothing listens beyond loopback, the keys are made per cluster.
# docs/s3-test-server.md says why radosgw and how it was measured.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    exec sudo --preserve-env=BRADY_S3_HOME,BRADY_S3_ENV,BRADY_S3_BLOCK_GIB "$0" "$@"
fi

home="${BRADY_S3_HOME:-/var/lib/brady-s3}"
env_file="${BRADY_S3_ENV:-/tmp/brady-s3.env}"
endpoint="http://127.0.0.1:7480"
conf="$home/ceph.conf"
keys="$home/s3-keys"
empty_sha256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# The OSD's sparse file: 40 GiB holds files_bench.py --s3's 10 GiB file twice over (its
# staging object and the copy under its hash exist together for a moment); disk is used
# only as data is written. A cluster keeps the size it was built with.
block_gib="${BRADY_S3_BLOCK_GIB:-40}"

fail() {
    echo "ensure-s3: $1" >&2
    echo "ensure-s3: the daemons' logs are in $home/log" >&2
    exit 1
}

# A signed ListBuckets with the cluster's keys: the server is up and the keys are good.
answers() {
    [[ -s "$keys" ]] && command -v curl >/dev/null 2>&1 || return 1
    local access secret code
    { read -r access; read -r secret; } <"$keys"
    code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' \
        --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
        -H "x-amz-content-sha256: $empty_sha256" "$endpoint/" 2>/dev/null)" || return 1
    [[ "$code" == 200 ]]
}

# Any HTTP answer at all: radosgw has finished starting (before its user exists).
listening() {
    curl -s -o /dev/null -m 5 "$endpoint/" 2>/dev/null
}

wait_for() {
    local check="$1" seconds="$2"
    for _ in $(seq 1 $((seconds * 2))); do
        "$check" && return 0
        sleep 0.5
    done
    return 1
}

write_env() {
    local access secret tmp
    { read -r access; read -r secret; } <"$keys"
    tmp="$(mktemp "$env_file.XXXXXX")"
    printf 'BRADY_TEST_S3=%s\nBRADY_TEST_S3_ACCESS_KEY=%s\nBRADY_TEST_S3_SECRET_KEY=%s\n' \
        "$endpoint" "$access" "$secret" >"$tmp"
    chmod 644 "$tmp"
    mv -f "$tmp" "$env_file"
}

# Alive and not a zombie: a killed daemon stays a zombie until its new parent reaps it.
alive() {
    local state
    state="$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# The pid a daemon of ours wrote, if that process is still the daemon.
running_pid() {
    local name="$1" program="$2" pid
    pid="$(cat "$home/run/$name.pid" 2>/dev/null)" || return 1
    [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$program" ]] || return 1
    alive "$pid" || return 1
    echo "$pid"
}

daemons=("mon.a ceph-mon -i a" "osd.0 ceph-osd -i 0" "client.rgw radosgw -n client.rgw")

start_daemons() {
    local entry name program args
    for entry in "${daemons[@]}"; do
        read -r name program args <<<"$entry"
        running_pid "$name" "$program" >/dev/null && continue
        # shellcheck disable=SC2086  # args are words
        "$program" -c "$conf" $args >>"$home/log/start.log" 2>&1 9>&- || return 1
    done
}

all_running() {
    local entry name program args
    for entry in "${daemons[@]}"; do
        read -r name program args <<<"$entry"
        running_pid "$name" "$program" >/dev/null || return 1
    done
}

# The restarted cluster answers with its keys; false at once if a daemon has died.
restarted() {
    local i
    for i in $(seq 1 180); do
        answers && return 0
        ((i > 4)) && ! all_running && return 1
        sleep 0.5
    done
    return 1
}

# Only the processes this script started (by their pid files), never by name.
stop_daemons() {
    local entry name program args pid pids=()
    for entry in "${daemons[@]}"; do
        read -r name program args <<<"$entry"
        pid="$(running_pid "$name" "$program")" && pids+=("$pid")
    done
    [[ ${#pids[@]} -eq 0 ]] && return 0
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 20); do
        sleep 0.5
        for pid in "${pids[@]}"; do
            alive "$pid" && continue 2
        done
        return 0
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
}

write_conf() {
    local fsid="$1"
    cat >"$conf" <<CONF
# Written by scripts/ensure-s3.sh: a one-node, loopback-only Ceph for the tests.
[global]
fsid = $fsid
mon host = v2:127.0.0.1:3300
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
run dir = $home/run
admin socket = $home/run/\$name.asok
pid file = $home/run/\$name.pid
log file = $home/log/\$name.log
mon data = $home/mon
osd data = $home/osd
# One OSD, so one copy of everything and small placement groups.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# BlueStore in a sparse file (disk is used as data is written); a small fixed cache.
osd objectstore = bluestore
bluestore block path = $home/osd-block
bluestore block create = true
bluestore block size = $((block_gib * 1024 * 1024 * 1024))
bluestore cache autotune = false
bluestore cache size = 134217728
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:7480
rgw thread pool size = 64
# Free deleted objects' space within minutes, not hours.
rgw gc obj min wait = 60
rgw gc processor period = 60
CONF
}

# One step of building the cluster, its output kept in create.log.
step() {
    "$@" >>"$home/log/create.log" 2>&1 9>&- || fail "$1 failed while building the cluster (see create.log)"
}

# A new cluster: monitor, one OSD, radosgw, and an S3 user with fresh keys.
create() {
    rm -rf "$home"
    mkdir -p "$home"/{mon,osd,run,log}
    local fsid osd_uuid osd_id access secret
    fsid="$(uuidgen)"
    osd_uuid="$(uuidgen)"
    write_conf "$fsid"
    step monmaptool --create --fsid "$fsid" --addv a '[v2:127.0.0.1:3300]' "$home/monmap"
    step ceph-mon -c "$conf" --mkfs -i a --monmap "$home/monmap"
    step ceph-mon -c "$conf" -i a
    osd_id="$(ceph -c "$conf" --connect-timeout 60 osd new "$osd_uuid" 2>>"$home/log/create.log")" \
        || fail "the monitor did not answer (see create.log)"
    [[ "$osd_id" == 0 ]] || fail "the new OSD is number $osd_id, not 0"
    step ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid"
    start_daemons || fail "a Ceph daemon did not start (see start.log)"
    wait_for listening 120 || fail "radosgw did not answer on $endpoint"
    access="BRADY$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)"
    secret="$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')"
    step radosgw-admin -c "$conf" user create --uid brady-test --display-name "Brady tests" \
        --access-key "$access" --secret-key "$secret"
    printf '%s\n%s\n' "$access" "$secret" >"$keys"
    chmod 644 "$keys"
}

missing_tools() {
    local tool
    for tool in ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool uuidgen curl; do
        command -v "$tool" >/dev/null 2>&1 || return 0
    done
    return 1
}

install() {
    export DEBIAN_FRONTEND=noninteractive
    local packages=(ceph-mon ceph-osd radosgw uuid-runtime curl)
    apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null 2>&1 \
        || { apt-get update >/dev/null \
             && apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
}

if answers; then
    write_env
    exit 0
fi

mkdir -p "$(dirname "$home")"
# One run at a time builds or restarts; the daemons are started without this descriptor.
exec 9>"$home.lock"
flock -w 300 9 || fail "another ensure-s3.sh has held $home.lock for 5 minutes"
if answers; then # another run finished while this one waited for the lock
    write_env
    exit 0
fi

if missing_tools; then
    install || fail "could not install Ceph's radosgw from Debian's packages"
    missing_tools && fail "Debian's Ceph packages are installed but a program is missing"
fi

if [[ -s "$keys" && -f "$home/osd/ready" ]]; then
    if start_daemons && restarted; then
        write_env
        exit 0
    fi
    # Restart failed (a broken or half-made cluster): throw it away and build anew.
fi
stop_daemons
create
wait_for answers 60 || fail "radosgw refused the keys it was given"
write_env
