#!/usr/bin/env bash
# The packaging's quality gates, run by `bash installer/setup.sh test`:
#   ShellCheck on every shell script; systemd-analyze verify on every unit (over the packages' own files);
#   both packages built; lintian with no errors on both; the chroot install/upgrade/purge test.
#
#   bash installer/check-packaging.sh
#
# HALL_KIOSK_SKIP_PACKAGE_TEST=1 leaves out the build, lintian and the chroot test (the quick checks still run);
# HALL_KIOSK_SKIP_CHROOT=1 leaves out only the chroot test (the test command's run; `setup.sh slow` runs it all).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
say() { printf '[packaging] %s\n' "$*" >&2; }
rc=0

# Tools the checks need, installed like setup.sh's system packages (root only; otherwise named).
tools=(shellcheck lintian debootstrap cage xwayland grim zstd)
missing=()
for p in "${tools[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        say "installing: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
            { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
    else
        say "missing (sudo apt-get install ${missing[*]}); the checks that need them are skipped"
    fi
fi

# --- shellcheck: every shell script of the project ----------------------------------------------------------
mapfile -t scripts < <(
    git ls-files --cached --others --exclude-standard -- '*.sh' .ci/run 'installer/packaging/**' |
        while read -r f; do [ -f "$f" ] && head -n 1 "$f" | grep -qE '^#!.*\b(ba|da)?sh\b' && echo "$f"; done
)
if command -v shellcheck >/dev/null; then
    say "shellcheck: ${#scripts[@]} scripts"
    shellcheck -x -S warning "${scripts[@]}" || rc=1
else
    say "SKIPPED shellcheck: not installed"
fi

# --- systemd-analyze verify: the units over the packages' own files -----------------------------------------
verify_root="$(mktemp -d /tmp/hall-kiosk-verify.XXXXXX)"
trap 'rm -rf "$verify_root"' EXIT
mkdir -p "$verify_root/lib/systemd" "$verify_root/etc/systemd/system"
cp -a /lib/systemd/system "$verify_root/lib/systemd/"
mapfile -t units < <(find installer/packaging -name '*.service' -o -name '*.timer' | sort)
for unit in "${units[@]}"; do
    cp "$unit" "$verify_root/etc/systemd/system/"
    # Every command a unit names must be there: the package's own files, or a dependency's.
    sed -n 's/^Exec[A-Za-z]*=[-+!@:]*\([^ ]*\).*/\1/p' "$unit" | while read -r command; do
        mkdir -p "$verify_root$(dirname "$command")"
        printf '#!/bin/sh\n' >"$verify_root$command" && chmod +x "$verify_root$command"
    done
done
say "systemd-analyze verify: ${units[*]##*/}"
if ! out="$(systemd-analyze verify --root="$verify_root" "${units[@]##*/}" 2>&1)" || [ -n "$out" ]; then
    printf '%s\n' "$out" >&2
    rc=1
fi

if [ -n "${HALL_KIOSK_SKIP_PACKAGE_TEST:-}" ]; then
    say "SKIPPED packages, lintian and the chroot test: HALL_KIOSK_SKIP_PACKAGE_TEST is set"
    exit "$rc"
fi

# --- the packages, lintian, the chroot test -----------------------------------------------------------------
debs="$(mktemp -d /tmp/hall-kiosk-debs.XXXXXX)"
trap 'rm -rf "$verify_root" "$debs"' EXIT
started=$SECONDS
nice bash installer/build-packages.sh --out "$debs" || { say "FAILED: building the packages"; exit 1; }
say "packages built in $((SECONDS - started)) s"
if command -v lintian >/dev/null; then
    for deb in "$debs"/*.deb; do
        say "lintian ${deb##*/}"
        # Errors fail; warnings are shown. Running as root is what CI does.
        out="$(nice lintian --fail-on error --allow-root "$deb" 2>&1)" || { printf '%s\n' "$out" >&2; rc=1; continue; }
        printf '%s\n' "$out" | grep -E '^[EW]:' >&2 || true
    done
else
    say "SKIPPED lintian: not installed"
fi
if [ -n "${HALL_KIOSK_SKIP_CHROOT:-}" ]; then
    say "SKIPPED the chroot test (install, service, upgrade, rollback, purge): bash installer/setup.sh slow runs it"
    exit "$rc"
fi
bash installer/test-packages.sh --debs "$debs" || rc=1
exit "$rc"
