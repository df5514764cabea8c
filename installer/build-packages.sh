#!/usr/bin/env bash
# Build hall-kiosk_<version>_amd64.deb (terminal and assisted client) and hall-kiosk-central_<version>_amd64.deb
# (the platform) from the project's wheel and the wheels of its dependencies, with dpkg-deb.
#
#   bash installer/build-packages.sh [--source DIR] [--out DIR]
#
# The version is the source's pyproject.toml version. Dependency wheels are downloaded once into
# $HALL_KIOSK_WHEEL_CACHE (default /var/cache/hall-kiosk-ci/wheels when writable, else ~/.cache) at the versions
# installed in .venv (the versions the test suite ran), then each package carries exactly the wheels it needs:
# installing a package never asks the network.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_dir="$here"
out="$here/dist/packages"
while [ $# -gt 0 ]; do
    case "$1" in
        --source) source_dir="$(cd "$2" && pwd)"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        *) echo "build-packages: unknown argument $1" >&2; exit 2 ;;
    esac
done
packaging="$here/installer/packaging"
python="$here/.venv/bin/python"
say() { printf '[packages] %4d s  %s\n' "$SECONDS" "$*" >&2; }
# pip's and setuptools' chatter goes to a log, shown only when a step fails.
logged() { "$@" >>"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; return 1; }; }

if [ -w /var/cache ] || [ -d /var/cache/hall-kiosk-ci ]; then
    cache="${HALL_KIOSK_WHEEL_CACHE:-/var/cache/hall-kiosk-ci/wheels}"
else
    cache="${HALL_KIOSK_WHEEL_CACHE:-$HOME/.cache/hall-kiosk-ci/wheels}"
fi
mkdir -p "$cache" "$out"
work="$(mktemp -d /tmp/hall-kiosk-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$source_dir/pyproject.toml" | head -n 1)"
[ -n "$version" ] || { say "no version in $source_dir/pyproject.toml"; exit 1; }

# --- the project's wheel, built from a copy so that the source tree gets no build/ or egg-info -------------
say "hall-kiosk $version: building the wheel"
mkdir -p "$work/src" "$work/project"
if [ -d "$source_dir/.git" ]; then
    (cd "$source_dir" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) |
        tar -xf - -C "$work/src"
else
    tar -C "$source_dir" --exclude=.venv --exclude=.git --exclude=dist --exclude='*.egg-info' -cf - . | tar -xf - -C "$work/src"
fi
logged "$python" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$work/project" "$work/src"
wheel="$(ls "$work"/project/hall_kiosk-"$version"-*.whl)"

# --- dependency wheels at the tested versions -------------------------------------------------------------
"$python" -m pip freeze --exclude-editable 2>/dev/null | grep -v '^-e ' | grep -v '^hall-kiosk' >"$work/constraints.txt" || true
for part in terminal central; do
    # The terminal carries the demo too (the embedded platform): `kiosk run --demo` lets a technician try a
    # terminal before it is enrolled, and `kiosk screenshots` and `kiosk a11y-audit` render over a demo hall.
    # The demo extra is the central extra (pyproject.toml): named directly, since pip cannot resolve an extra
    # that points back at the project when the project comes from a file.
    requirement="hall-kiosk[central] @ file://$wheel"
    mkdir -p "$work/wheels-$part"
    offline=("$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --no-index
        --find-links "$cache" -c "$work/constraints.txt" --dest "$work/wheels-$part" "$requirement")
    # From the cache alone when it has every wheel; else fill the cache from the index first. The project's own
    # wheel never comes from the cache (pip download leaves a copy there, and an older build's has other needs).
    rm -f "$cache"/hall_kiosk-*.whl
    if ! "${offline[@]}" >>"$work/build.log" 2>&1; then
        say "$part: downloading wheels into $cache"
        fresh="$work/download-$part"
        # Into a folder of its own, then into the cache: pip's answer does not depend on what the cache holds.
        # Not --quiet: when the resolver refuses, the log keeps its reasons ("The conflict is caused by").
        if ! "$python" -m pip download --disable-pip-version-check --only-binary=:all: \
            -c "$work/constraints.txt" --dest "$fresh" "$requirement" >>"$work/build.log" 2>&1; then
            grep -v "^WARNING: Location" "$work/build.log" | tail -n 60 >&2
            exit 1
        fi
        rm -f "$fresh"/hall_kiosk-*.whl
        cp -n "$fresh"/*.whl "$cache"/
        logged "${offline[@]}"
    fi
    say "$part: $(find "$work/wheels-$part" -name '*.whl' | wc -l) wheels"
    cp "$wheel" "$work/wheels-$part/"
done

# --- staging --------------------------------------------------------------------------------------------
changelog() { # $1 package
    printf '%s (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
        "$1" "$version" "$version" "Hall Kiosk packaging <packaging@hall-kiosk.example.org>" \
        "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}")" |
        gzip -9n >"$2"
}

stage_common() { # $1 package $2 part $3 root
    local package="$1" part="$2" root="$3"
    install -d "$root/DEBIAN" "$root/opt/hall-kiosk/$part/wheels" "$root/usr/share/doc/$package" \
        "$root/usr/share/lintian/overrides"
    install -m 0644 "$work/wheels-$part"/*.whl "$root/opt/hall-kiosk/$part/wheels/"
    install -m 0755 "$packaging/common/hall-kiosk-env" "$root/opt/hall-kiosk/$part/hall-kiosk-env"
    if [ "$part" = central ]; then
        printf 'hall-kiosk[central]==%s\n' "$version" >"$root/opt/hall-kiosk/$part/requirement.txt"
    else
        printf 'hall-kiosk[central]==%s\n' "$version" >"$root/opt/hall-kiosk/$part/requirement.txt"
    fi
    chmod 0644 "$root/opt/hall-kiosk/$part/requirement.txt"
    install -m 0644 "$packaging/common/copyright" "$root/usr/share/doc/$package/copyright"
    install -m 0644 "$here/docs/install.md" "$root/usr/share/doc/$package/install.md"
    changelog "$package" "$root/usr/share/doc/$package/changelog.gz"
    install -m 0644 "$packaging/common/lintian-overrides" "$root/usr/share/lintian/overrides/$package"
    sed -i "s/^PACKAGE:/$package:/" "$root/usr/share/lintian/overrides/$package"
    local script
    for script in postinst prerm postrm; do
        sed "s/#VERSION#/$version/g" "$packaging/$part/$script" >"$root/DEBIAN/$script"
        chmod 0755 "$root/DEBIAN/$script"
    done
    install -m 0644 "$packaging/$part/triggers" "$root/DEBIAN/triggers"
}

finish() { # $1 package $2 root; control from $packaging/<part>/control
    local package="$1" root="$2" part="$3"
    (cd "$root" && find etc -type f 2>/dev/null | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
    [ -s "$root/DEBIAN/conffiles" ] || rm -f "$root/DEBIAN/conffiles"
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's| \./| |') \
        >"$root/DEBIAN/md5sums"
    chmod 0644 "$root/DEBIAN/md5sums"
    sed -e "s/#VERSION#/$version/g" -e "s/#SIZE#/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" \
        "$packaging/$part/control" >"$root/DEBIAN/control"
    find "$root" -type d -exec chmod 0755 {} +
    say "$package: dpkg-deb"
    nice dpkg-deb --root-owner-group -Zgzip -z1 --build "$root" "$out/${package}_${version}_amd64.deb" >/dev/null
}

# The terminal and the assisted client.
root="$work/root-terminal"
stage_common hall-kiosk terminal "$root"
install -D -m 0755 "$packaging/terminal/kiosk" "$root/usr/bin/kiosk"
install -D -m 0755 "$packaging/terminal/tty-no-blank" "$root/usr/lib/hall-kiosk/tty-no-blank"
install -D -m 0755 "$packaging/terminal/kiosk-mode" "$root/usr/lib/hall-kiosk/kiosk-mode"
install -D -m 0644 "$packaging/terminal/hall-kiosk.service" "$root/lib/systemd/system/hall-kiosk.service"
install -D -m 0644 "$packaging/terminal/60-hall-kiosk.rules" "$root/lib/udev/rules.d/60-hall-kiosk.rules"
install -D -m 0644 "$packaging/terminal/config.toml" "$root/etc/hall-kiosk/config.toml"
install -D -m 0644 "$packaging/terminal/kiosk.env" "$root/etc/hall-kiosk/kiosk.env"
install -D -m 0644 "$packaging/terminal/pam" "$root/etc/pam.d/hall-kiosk"
install -D -m 0644 "$packaging/terminal/hall-kiosk-assisted.desktop" \
    "$root/usr/share/applications/hall-kiosk-assisted.desktop"
install -D -m 0644 "$packaging/terminal/hall-kiosk.svg" "$root/usr/share/icons/hicolor/scalable/apps/hall-kiosk.svg"
finish hall-kiosk "$root" terminal

# The platform.
root="$work/root-central"
stage_common hall-kiosk-central central "$root"
install -D -m 0755 "$packaging/central/kiosk-central" "$root/usr/bin/kiosk-central"
install -D -m 0644 "$packaging/central/hall-kiosk-central.service" "$root/lib/systemd/system/hall-kiosk-central.service"
for unit in hall-kiosk-central-nightly.service hall-kiosk-central-nightly.timer; do
    install -D -m 0644 "$packaging/central/$unit" "$root/lib/systemd/system/$unit"
done
install -D -m 0644 "$packaging/central/central.env" "$root/etc/hall-kiosk/central.env"
finish hall-kiosk-central "$root" central

say "built: $out/hall-kiosk_${version}_amd64.deb $out/hall-kiosk-central_${version}_amd64.deb"
