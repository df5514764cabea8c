#!/usr/bin/env bash
# Hall Kiosk set-up: system packages, the virtual environment, the package; then one action.
#
#   bash installer/setup.sh demo    set up, then start the kiosk in demo mode
#   bash installer/setup.sh test    set up, then run every quality gate and the test suite (all but the slow tests)
#   bash installer/setup.sh slow    set up, then run the slow tests and the long fuzz runs (not in CI)
#   bash installer/setup.sh         set up only
#
# Idempotent: a second run installs nothing new and takes seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
action="${1:-setup}"
shift || true

say() { printf '[setup] %s\n' "$*" >&2; }

# --- system packages -------------------------------------------------------------------------
# CJK fonts (Chinese must render), espeak-ng (Mandarin voice), sox (voice checks), Xvfb (demo without a
# screen), xdotool (bench/usability.py clicks the real window), the xcb/EGL libraries Qt 6 loads, libusb (USB
# printers), PostgreSQL (central platform tests), Chromium and its driver (the console's browser tests).
system_packages=(
    fonts-noto-cjk espeak-ng sox xvfb xauth xdotool
    libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
    libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1 libegl1 libgl1 libfontconfig1 libdbus-1-3
    libglib2.0-0 libusb-1.0-0 postgresql libzinnia0 tegaki-zinnia-simplified-chinese
    chromium chromium-driver
)

missing_packages() {
    local p
    for p in "${system_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
    done
}

install_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "not a Debian-family system: install these yourself: ${system_packages[*]}"
        return 0
    fi
    mapfile -t missing < <(missing_packages)
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        say "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        say "missing system packages (run as root, or: sudo apt-get install ${missing[*]})"
    fi
}

# --- virtual environment ---------------------------------------------------------------------
python_for_venv() {
    local c
    for c in python3.13 python3.12 python3.11 python3; do
        if command -v "$c" >/dev/null 2>&1 &&
            "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    say "Python 3.11 or newer is needed (apt-get install python3 python3-venv)"
    exit 1
}

install_venv() {
    if [ ! -x .venv/bin/python ]; then
        say "creating .venv"
        "$(python_for_venv)" -m venv .venv
        .venv/bin/python -m pip install -q --upgrade pip setuptools wheel
    fi
    local stamp=.venv/.hall-kiosk-installed want
    want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x .venv/bin/kiosk ]; then
        say "installing hall-kiosk and its dependencies into .venv"
        .venv/bin/python -m pip install -q -e ".[dev]"
        printf '%s' "$want" >"$stamp"
    fi
}

# --- a throwaway PostgreSQL for the central platform's tests ----------------------------------
start_test_postgres() {
    [ -n "${KIOSK_TEST_PG_URL:-}" ] && return 0
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$bin" ] || [ "$(id -u)" -ne 0 ]; then
        say "PostgreSQL tests skipped: needs the postgresql package and root to start a private server"
        return 0
    fi
    pg_dir="$(mktemp -d /tmp/hall-kiosk-pg.XXXXXX)"
    chown postgres "$pg_dir"
    local port
    port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # Expanded now: the function's locals are gone when the trap runs.
    # shellcheck disable=SC2064
    trap "su postgres -s /bin/sh -c \"'$bin/pg_ctl' -D '$pg_dir/data' -m immediate stop >/dev/null 2>&1\" || true; rm -rf '$pg_dir'" EXIT
    if su postgres -s /bin/sh -c "'$bin/initdb' -D '$pg_dir/data' -A trust -U postgres -E UTF8 >/dev/null" &&
        su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$pg_dir/data' -o '-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off' -l '$pg_dir/log' -w start >/dev/null"; then
        export KIOSK_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
        say "PostgreSQL for tests at $KIOSK_TEST_PG_URL"
    else
        say "PostgreSQL did not start (see below); its tests are skipped"
        tail -n 5 "$pg_dir/log" >&2 || true
    fi
}

run_tests() {
    export QT_QPA_PLATFORM=offscreen
    export PYTHONDONTWRITEBYTECODE=1
    local rc=0
    say "ruff";         .venv/bin/ruff check . || rc=1
    say "mypy --strict"; .venv/bin/mypy || rc=1
    say "import contracts"; .venv/bin/lint-imports || rc=1
    # The package gates run beside the test suite (they wait on apt, pip and dpkg more than on the processor):
    # ShellCheck, systemd-analyze verify, both packages built, lintian, and the Debian 12 chroot test (install,
    # the kiosk's cage session, one submission, upgrade with a queued submission, rollback, purge).
    local packaging_log packaging_pid
    packaging_log="$(mktemp /tmp/hall-kiosk-packaging.XXXXXX)"
    say "packaging gates started beside the tests (their output follows the tests)"
    bash installer/check-packaging.sh >"$packaging_log" 2>&1 &
    packaging_pid=$!
    start_test_postgres
    say "pytest (the slow tests run with: bash installer/setup.sh slow)"
    .venv/bin/python -m pytest -m "not slow" "$@" || rc=1
    say "accessibility audit"
    .venv/bin/kiosk a11y-audit || rc=1
    say "packaging: shellcheck, systemd-analyze verify, the packages built, lintian, the Debian 12 chroot test"
    wait "$packaging_pid" || rc=1
    cat "$packaging_log" >&2
    rm -f "$packaging_log"
    return "$rc"
}

# The long runs, kept out of the test command (and so out of CI): crash loops and full evaluations marked
# slow, and each fuzz target with 100,000 inputs.
run_slow() {
    export QT_QPA_PLATFORM=offscreen
    export PYTHONDONTWRITEBYTECODE=1
    start_test_postgres
    local rc=0
    .venv/bin/python -m pytest -m slow "$@" || rc=1
    HALL_FUZZ_EXAMPLES="${HALL_FUZZ_EXAMPLES:-100000}" .venv/bin/python -m pytest -m fuzz -p no:randomly tests/fuzz "$@" || rc=1
    return "$rc"
}

run_demo() {
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
        if command -v xvfb-run >/dev/null 2>&1; then
            say "no screen: starting the demo on a virtual one (Xvfb)"
            exec xvfb-run -a -s "-screen 0 1080x1920x24" .venv/bin/kiosk run --demo "$@"
        fi
        export QT_QPA_PLATFORM=offscreen
    fi
    exec .venv/bin/kiosk run --demo "$@"
}

install_system_packages
install_venv
case "$action" in
    setup) say "ready: .venv/bin/kiosk --help" ;;
    demo) run_demo "$@" ;;
    test) run_tests "$@" ;;
    slow) run_slow "$@" ;;
    *) say "unknown action '$action' (use: demo, test, slow, or nothing)"; exit 2 ;;
esac
