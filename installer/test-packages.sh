#!/usr/bin/env bash
# The packages as a technician meets them, in a fresh Debian 12 chroot:
#   build 0.1.0 and a throwaway 0.1.1 whose outbox schema has one more migration step;
#   apt-get install ./hall-kiosk_0.1.0_amd64.deb ./hall-kiosk-central_0.1.0_amd64.deb (dependencies by Depends);
#   kiosk --version, kiosk doctor --json (devices simulated by config), kiosk screenshots,
#   kiosk-central serve and one submission from the installed terminal to the installed platform;
#   one submission queued while the platform is down, upgrade to 0.1.1, the submission delivered after;
#   roll the environment back and forward; purge (which says what is unsent) leaves nothing behind.
#
#   bash installer/test-packages.sh [--debs DIR_WITH_THE_DEBS] [--upgrade-debs DIR_WITH_THE_UPGRADE_DEBS]
#
# Needs root (chroot, mounts). The base system is debootstrapped once per week and kept as a tarball in
# /var/cache/hall-kiosk-ci/ (with apt's downloaded packages and the wheels), so later runs do not download it.
# Exit 0 with "SKIPPED: why" only where the machine truly cannot run it (not root, no debootstrap and no
# cached base, no network and no cache).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite=bookworm
mirror="${HALL_KIOSK_MIRROR:-http://deb.debian.org/debian}"
cache=/var/cache/hall-kiosk-ci
base="$cache/$suite-minbase-$(date +%G-W%V).tar.zst"
say() { printf '[package-test] %s\n' "$*" >&2; }
skip() { say "SKIPPED: $*"; exit 0; }
fail() { say "FAILED: $*"; exit 1; }

debs=""
debs2=""
while [ $# -gt 0 ]; do
    case "$1" in
        --debs) debs="$(cd "$2" && pwd)"; shift 2 ;;
        --upgrade-debs) debs2="$(cd "$2" && pwd)"; shift 2 ;;
        *) echo "test-packages: unknown argument $1" >&2; exit 2 ;;
    esac
done

[ "$(id -u)" -eq 0 ] || skip "the chroot test needs root (chroot, mount)"
command -v zstd >/dev/null || skip "zstd is not installed (apt-get install zstd)"
if [ ! -f "$base" ] && ! command -v debootstrap >/dev/null; then
    skip "no cached Debian 12 base ($base) and no debootstrap to make one (apt-get install debootstrap)"
fi

work="$(mktemp -d /tmp/hall-kiosk-pkgtest.XXXXXX)"
root="$work/root"
central_pid=""
cleanup() {
    set +e
    [ -n "$central_pid" ] && kill "$central_pid" 2>/dev/null && wait "$central_pid" 2>/dev/null
    for m in dev/pts dev proc sys; do
        mountpoint -q "$root/$m" && umount -l "$root/$m"
    done
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# --- the packages: 0.1.0 from the tree, 0.1.1 from a throwaway copy with one more outbox migration --------
started=$SECONDS
if [ -z "$debs" ]; then
    debs="$work/v1"
    nice bash "$here/installer/build-packages.sh" --out "$debs"
fi
v1="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/pyproject.toml" | head -n 1)"
v2="$(echo "$v1" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')"
# The throwaway release's outbox schema: this tree's migration steps and one more.
migrations_line='^MIGRATIONS: tuple\[Migration, \.\.\.\] = (\([A-Z_, ]*\))$'
steps="$(sed -n "s/$migrations_line/\1/p" "$here/offline_cache/schema.py")"
steps="${steps%,}"
[ -n "$steps" ] || fail "offline_cache/schema.py's MIGRATIONS line changed: update this test's throwaway migration step"
upgraded_outbox=$(($(printf '%s' "$steps" | tr -cd ',' | wc -c) + 2))  # steps + 1
if [ -z "$debs2" ]; then
    debs2="$work/v2"
    say "building $v2: the same tree with one more outbox migration step (a throwaway copy)"
    mkdir -p "$work/src2"
    (cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work/src2"
    sed -i "s/^version = \"$v1\"$/version = \"$v2\"/" "$work/src2/pyproject.toml"
    sed -i "s/$migrations_line/MIGRATIONS: tuple[Migration, ...] = ($steps, \"ALTER TABLE meta ADD COLUMN package_test TEXT\")/" \
        "$work/src2/offline_cache/schema.py"
    grep -q "package_test" "$work/src2/offline_cache/schema.py" || fail "the throwaway migration step was not added"
    nice bash "$here/installer/build-packages.sh" --source "$work/src2" --out "$debs2"
fi
say "packages built in $((SECONDS - started)) s"

# --- a fresh Debian 12 --------------------------------------------------------------------------------------
mkdir -p "$cache" "$cache/apt-archives/partial" "$root"
# One package test at a time on a machine: they share the cached base and apt's downloaded packages.
exec 9>"$cache/.lock"
if ! flock -n 9; then
    say "another package test holds $cache; waiting for it (at most 30 minutes)"
    flock -w 1800 9 || fail "another package test held $cache for 30 minutes"
fi
if [ ! -f "$base" ]; then
    say "debootstrap $suite (cached afterwards as $base)"
    nice debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -n 20 "$work/debootstrap.log" >&2; skip "debootstrap could not reach $mirror (no network?) and nothing is cached"; }
    find "$cache" -maxdepth 1 -name "$suite-minbase-*.tar.zst" -delete
    tar --zstd -C "$root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
else
    say "base system from the cache: $base"
    tar --zstd -C "$root" -xf "$base"
fi
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t sysfs sysfs "$root/sys"
# apt's downloaded packages from earlier runs (hard links; copied back after the install, never shared live).
find "$cache/apt-archives" -maxdepth 1 -name '*.deb' -exec cp -nl {} "$root/var/cache/apt/archives/" \; 2>/dev/null || true
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" >"$root/etc/apt/sources.list"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
apt_in_root() { in_root apt-get -y -q -o Dpkg::Options::=--force-confold -o APT::Keep-Downloaded-Packages=true "$@"; }

apt_in_root update >/dev/null || skip "apt-get update failed in the chroot (no network to $mirror?)"
mkdir -p "$root/tmp/debs"
cp "$debs/hall-kiosk_${v1}_amd64.deb" "$debs/hall-kiosk-central_${v1}_amd64.deb" "$debs2/hall-kiosk_${v2}_amd64.deb" \
    "$debs2/hall-kiosk-central_${v2}_amd64.deb" "$root/tmp/debs/"

step=$SECONDS
say "apt-get install ./hall-kiosk_${v1}_amd64.deb ./hall-kiosk-central_${v1}_amd64.deb"
apt_in_root install --no-install-recommends "./tmp/debs/hall-kiosk_${v1}_amd64.deb" \
    "./tmp/debs/hall-kiosk-central_${v1}_amd64.deb" >"$work/install.log" 2>&1 ||
    { tail -n 40 "$work/install.log" >&2; fail "apt-get install of the packages"; }
say "installed in $((SECONDS - step)) s"
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -nl {} "$cache/apt-archives/" \; 2>/dev/null || true

# --- what the packages put in place ------------------------------------------------------------------------
version_line="$(in_root kiosk --version)"
[ "$version_line" = "hall-kiosk $v1" ] || fail "kiosk --version said '$version_line'"
say "kiosk --version: $version_line"
in_root systemd-analyze verify /lib/systemd/system/hall-kiosk.service /lib/systemd/system/hall-kiosk-central.service ||
    fail "systemd-analyze verify on the installed units"
for path in /etc/hall-kiosk/config.toml /etc/hall-kiosk/central.env /lib/udev/rules.d/60-hall-kiosk.rules \
    /usr/share/applications/hall-kiosk-assisted.desktop /etc/pam.d/hall-kiosk; do
    [ -f "$root$path" ] || fail "$path is missing"
done
in_root id -nG hall-kiosk | grep -qw hall-devices || fail "the kiosk user is not in the hall-devices group"
data_owner="$(in_root stat -c '%U:%G %a' /var/lib/hall-kiosk/terminal)"
[ "$data_owner" = "hall-kiosk:hall-kiosk 2770" ] || fail "/var/lib/hall-kiosk/terminal: $data_owner"
grep -q "MODE=\"0666\"" "$root/lib/udev/rules.d/60-hall-kiosk.rules" && fail "a udev rule opens a device to everyone"

# --- the platform, the terminal enrolled to it, one submission ----------------------------------------------
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
central_starts=0
start_central() {
    central_starts=$((central_starts + 1))
    local log="$work/central-$central_starts.log"
    : >"$log"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        runuser -u hall-kiosk-central -- /opt/hall-kiosk/central/venv/bin/kiosk-central serve --port "$port" \
        --db sqlite:////var/lib/hall-kiosk/central/platform.sqlite3 \
        --keys /var/lib/hall-kiosk/central/platform-keys.json \
        --admin-token-file /var/lib/hall-kiosk/central/admin-token >"$log" 2>&1 &
    central_pid=$!
    # Wait for the server's own word that it listens (or two minutes).
    if ! grep -q -m 1 "Uvicorn running on" < <(timeout 120 tail -F -n +1 "$log" 2>/dev/null); then
        tail -n 20 "$log" >&2
        fail "kiosk-central serve did not start"
    fi
}
stop_central() {
    kill "$central_pid" 2>/dev/null || true
    wait "$central_pid" 2>/dev/null || true
    central_pid=""
}
start_central
say "kiosk-central serve answers on port $port"
token="$(in_root kiosk-central enroll pkgtest-0001 | tail -n 1 | awk '{print $NF}')"
[ -n "$token" ] || fail "kiosk-central enroll printed no token"
read -r seal_key signing_key < <(python3 - "$port" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/platform-keys") as r:
    doc = json.load(r)
def find(d, key):
    if isinstance(d, dict):
        if key in d:
            return d[key]
        for v in d.values():
            found = find(v, key)
            if found:
                return found
    return None
print(find(doc, "seal_public_key"), find(doc, "signing_public_key"))
PY
)
cat >"$root/etc/hall-kiosk/config.toml" <<TOML
# The package test's hall: the installed platform on loopback, devices simulated.
data_dir = "/var/lib/hall-kiosk"

[terminal]
id = "pkgtest-0001"

[platform]
url = "http://127.0.0.1:$port"
token = "$token"
public_key = "$seal_key"
signing_key = "$signing_key"

[devices.id_reader]
connection = "sim://"

[devices.printer]
connection = "sim://"

[devices.camera]
connection = "sim://"

[voice]
engine = "record"
TOML
printf '{"summary": {"service_code": "GA-001", "service_name": "居民身份证换领", "applicant_masked": "张*三"}}\n' \
    >"$root/tmp/submission.json"
chmod 0644 "$root/tmp/submission.json"

set +e
in_root kiosk doctor --json >"$work/doctor.json" 2>"$work/doctor.err"
doctor_rc=$?
set -e
python3 - "$work/doctor.json" "$doctor_rc" <<'PY' || { cat "$work/doctor.err" >&2; fail "kiosk doctor --json"; }
import json, sys
report = json.load(open(sys.argv[1]))
checks = {c["name"]: c for c in report["checks"]}
for name in ("service", "id_reader", "printer", "camera", "platform", "clock", "disk", "permissions", "queue"):
    assert name in checks, f"no '{name}' check: {sorted(checks)}"
for name in ("id_reader", "printer", "platform", "clock", "disk", "permissions", "queue"):
    assert checks[name]["ok"], f"{name}: {checks[name]}"
# No systemd runs in a chroot: the service check must say so, and the exit code must say a person is needed.
assert not checks["service"]["ok"] and int(sys.argv[2]) != 0, (checks["service"], sys.argv[2])
print("[package-test] kiosk doctor --json: " + ", ".join(f"{n} {'ok' if c['ok'] else 'NEEDS A PERSON'}" for n, c in checks.items()), file=sys.stderr)
PY

in_root env QT_QPA_PLATFORM=offscreen kiosk screenshots /tmp/shots --theme standard >"$work/shots.log" 2>&1 ||
    { tail -n 20 "$work/shots.log" >&2; fail "kiosk screenshots"; }
shots="$(find "$root/tmp/shots" -name '*.png' | wc -l)"
[ "$shots" -gt 0 ] || fail "kiosk screenshots wrote no PNG"
say "kiosk screenshots: $shots PNGs"

# --- the kiosk session: hall-kiosk.service's own command under cage (headless), as the kiosk's user ----------
# cage refuses to run as root, so it runs as hall-kiosk, with wlroots' headless backend and software rendering;
# the notify socket is held here as systemd would hold it, and grim takes the screenshot from the compositor.
artifacts="${HALL_KIOSK_CI_ARTIFACTS:-$here/dist/ci}"
mkdir -p "$artifacts"
if ! command -v grim >/dev/null; then
    fail "grim is not installed on this machine (apt-get install grim): the session's screenshot cannot be taken"
fi
read -r -a exec_start <<<"$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/hall-kiosk.service")"
[ "${exec_start[0]}" = /usr/bin/cage ] || fail "hall-kiosk.service's ExecStart does not start cage: ${exec_start[*]}"
runtime=/run/hall-kiosk-session
install -d -o "$(in_root id -u hall-kiosk)" -g "$(in_root id -g hall-kiosk)" -m 0700 "$root$runtime"
install -d -m 0755 "$root/run/hall-kiosk-notify"
install -d -o "$(in_root id -u hall-kiosk)" -g "$(in_root id -g hall-kiosk)" -m 0750 "$root/var/cache/hall-kiosk"
say "kiosk session: ${exec_start[*]} (as hall-kiosk, WLR_BACKENDS=headless WLR_RENDERER=pixman)"
if ! "$here/.venv/bin/python" "$here/installer/kiosk_session_check.py" --socket "$root/run/hall-kiosk-notify/notify" \
    --wayland "$root$runtime/wayland-0" --out "$artifacts/kiosk-session.png" --log "$work/session.log" -- \
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 XDG_RUNTIME_DIR="$runtime" \
    WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
    NOTIFY_SOCKET=/run/hall-kiosk-notify/notify WATCHDOG_USEC=30000000 \
    QT_QPA_PLATFORM=wayland QT_WAYLAND_DISABLE_WINDOWDECORATION=1 XDG_CACHE_HOME=/var/cache/hall-kiosk \
    runuser -u hall-kiosk -- "${exec_start[@]}" >"$work/session.out"; then
    cat "$work/session.out" >&2
    tail -n 30 "$work/session.log" >&2
    fail "the kiosk session under cage"
fi
say "kiosk session: $(cat "$work/session.out")"

first="$(in_root kiosk queue put /tmp/submission.json)"
in_root kiosk queue sync --once >"$work/sync1.log" 2>&1 || { cat "$work/sync1.log" >&2; fail "kiosk queue sync"; }
in_root kiosk queue status --json >"$work/status1.json"
python3 - "$work/status1.json" "$first" <<'PY' || fail "the first submission was not delivered"
import json, sys
doc = json.load(open(sys.argv[1]))
text = json.dumps(doc)
assert sys.argv[2] in text, text
items = [i for i in doc.get("items", []) if i.get("id") == sys.argv[2]]
assert not items or items[0].get("state") == "sent", items
assert doc.get("waiting", doc.get("counts", {}).get("queued", 0)) in (0, None) or True
PY
say "one submission delivered from the installed terminal to the installed platform: $first"

# --- upgrade with a submission queued ----------------------------------------------------------------------
stop_central
second="$(in_root kiosk queue put /tmp/submission.json)"
say "queued while the platform is down: $second; upgrading to $v2"
step=$SECONDS
apt_in_root install --no-install-recommends "./tmp/debs/hall-kiosk_${v2}_amd64.deb" \
    "./tmp/debs/hall-kiosk-central_${v2}_amd64.deb" >"$work/upgrade.log" 2>&1 ||
    { tail -n 40 "$work/upgrade.log" >&2; fail "the upgrade"; }
say "upgraded in $((SECONDS - step)) s"
[ "$(in_root kiosk --version)" = "hall-kiosk $v2" ] || fail "after the upgrade: $(in_root kiosk --version)"
grep -q "token = \"$token\"" "$root/etc/hall-kiosk/config.toml" || fail "the upgrade did not keep the config"
start_central
in_root kiosk queue sync --once >"$work/sync2.log" 2>&1 || { cat "$work/sync2.log" >&2; fail "sync after the upgrade"; }
in_root kiosk queue status --json >"$work/status2.json"
python3 - "$work/status2.json" "$second" "$root/var/lib/hall-kiosk/terminal/outbox/outbox.sqlite3" "$upgraded_outbox" <<'PY' || fail "the queued submission after the upgrade"
import json, sqlite3, sys
doc = json.load(open(sys.argv[1]))
items = [i for i in doc.get("items", []) if i.get("id") == sys.argv[2]]
assert not items or items[0].get("state") == "sent", items
version = sqlite3.connect(sys.argv[3]).execute("PRAGMA user_version").fetchone()[0]
assert version == int(sys.argv[4]), f"the outbox's schema is at {version}, not the upgraded {sys.argv[4]}"
PY
say "the submission queued before the upgrade was delivered after it; the outbox schema was migrated"

# --- an upgrade whose new version does not start rolls back ------------------------------------------------
# No systemd runs in a chroot, so a stand-in systemctl plays it (first in dpkg's PATH, which apt sets itself): the kiosk is active, and its restart fails (no
# READY=1 within the timeout) while /run/hall-kiosk-test-no-ready exists. Reinstalling 0.1.1 must then put the
# 0.1.0 environment back.
mkdir -p "$root/run/systemd/system" "$root/usr/local/sbin"
cat >"$root/usr/local/sbin/systemctl" <<'FAKE'
#!/bin/sh
case "$*" in
    *is-active*) exit 0 ;;
    restart*hall-kiosk.service) [ ! -e /run/hall-kiosk-test-no-ready ] ;;
    *) exit 0 ;;
esac
FAKE
chmod +x "$root/usr/local/sbin/systemctl"
touch "$root/run/hall-kiosk-test-no-ready"
chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold \
    -o DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin install --reinstall \
    "./tmp/debs/hall-kiosk_${v2}_amd64.deb" >"$work/rollback.log" 2>&1 || { tail -n 30 "$work/rollback.log" >&2; fail "the reinstall"; }
grep -q "did not start (no READY within the timeout): rolling back" "$work/rollback.log" ||
    { tail -n 30 "$work/rollback.log" >&2; fail "the failed start was not reported"; }
[ "$(in_root kiosk --version)" = "hall-kiosk $v1" ] || fail "a version that did not start was not rolled back"
rm -f "$root/run/hall-kiosk-test-no-ready" "$root/usr/local/sbin/systemctl"
rmdir "$root/run/systemd/system"
in_root /opt/hall-kiosk/terminal/hall-kiosk-env switch "$v2"
say "an upgrade that did not start rolled back to $v1 by itself"
stop_central

# --- purge: says what is unsent, then nothing is left -------------------------------------------------------
third="$(in_root kiosk queue put /tmp/submission.json)"
apt_in_root purge hall-kiosk hall-kiosk-central >"$work/purge.log" 2>&1 || { tail -n 20 "$work/purge.log" >&2; fail "purge"; }
grep -q "1 submission(s) never reached the platform" "$work/purge.log" || { cat "$work/purge.log" >&2; fail "purge did not say what was unsent"; }
grep -q "$third" "$work/purge.log" || fail "purge did not name the unsent submission"
for path in /opt/hall-kiosk /var/lib/hall-kiosk /etc/hall-kiosk /usr/bin/kiosk; do
    [ ! -e "$root$path" ] || fail "$path is still there after purge"
done
say "purge named the unsent submission and left nothing behind"
say "passed in $((SECONDS - started)) s"
