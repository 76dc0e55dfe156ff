#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for
# the tests: start the installed cluster, or install Debian's PostgreSQL first.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if command -v pg_isready >/dev/null 2>&1 && ready; then
    exit 0
fi
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
    echo "ensure-postgres: installing PostgreSQL from Debian's packages" >&2
    "${sudo[@]}" apt-get install -y --no-install-recommends postgresql >/dev/null \
        || { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends postgresql >/dev/null; }
    version="$(ls /etc/postgresql | sort -n | tail -1)"
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    # Test-only server: local connections are trusted, nothing listens beyond loopback.
    "${sudo[@]}" sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|scram-sha-256|md5)$/\1\2 trust/' "$hba"
    "${sudo[@]}" sed -i -E 's/^(local\s+all\s+postgres\s+)peer$/\1trust/' "$hba"
fi
version="$(ls /etc/postgresql | sort -n | tail -1)"
"${sudo[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
"${sudo[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
for _ in $(seq 1 30); do
    ready && exit 0
    sleep 1
done
echo "ensure-postgres: PostgreSQL did not start on 127.0.0.1:5432" >&2
exit 1
