#!/usr/bin/env bash
# Make sure the browser tests have their browser: Debian's Chromium at /usr/bin/chromium and a
# font with Vietnamese glyphs (screenshots must show "Học bạ số", not boxes).
#
# Playwright drives this system Chromium; `playwright install` is never used (it downloads a
# browser from a CDN). Installing needs root; without it this prints what to run instead. In CI
# (CI=true) a browser that cannot be installed is an error; elsewhere the browser tests are
# then skipped with that reason.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT_PACKAGE=fonts-noto-core
# Any of these renders Vietnamese (Latin Extended Additional).
VIETNAMESE_FONTS=(fonts-noto-core fonts-dejavu-core fonts-liberation2)

in_ci() {
    case "${CI:-}" in 1 | true | TRUE | True | yes) return 0 ;; *) return 1 ;; esac
}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
if [[ ! -x "$CHROMIUM" ]]; then
    missing+=(chromium "$FONT_PACKAGE")
elif command -v dpkg-query >/dev/null 2>&1; then
    have_font=no
    for package in "${VIETNAMESE_FONTS[@]}"; do
        if installed "$package"; then have_font=yes; fi
    done
    if [[ "$have_font" == no ]]; then missing+=("$FONT_PACKAGE"); fi
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "ensure_browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") is ready"
    exit 0
fi

command_line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_browser: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086  # the package names are split on purpose
    $command_line
    if [[ ! -x "$CHROMIUM" ]]; then
        echo "ensure_browser: apt-get finished but $CHROMIUM is still missing" >&2
        exit 1
    fi
    echo "ensure_browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") installed"
    exit 0
fi

why="not running as root"
if ! command -v apt-get >/dev/null 2>&1; then why="apt-get is not available (not Debian?)"; fi
cat >&2 <<MESSAGE
ensure_browser: cannot install ${missing[*]}: $why.
  The browser tests need Debian's Chromium at $CHROMIUM and a Vietnamese font. Run:
      sudo apt-get update && sudo $command_line
  or run 'make test' as root. Until then the browser tests (tests/browser) are skipped.
MESSAGE
if in_ci; then
    echo "ensure_browser: in CI a missing browser is an error" >&2
    exit 1
fi
exit 0
