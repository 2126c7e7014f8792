#!/bin/sh
# Install a system tool the project calls: `sh scripts/install.sh COMMAND DEBIAN_PACKAGE [BREW_FORMULA]`.
# Graphviz's `dot` renders the drawings; Debian's `chromium` runs the page tests through playwright
# (no browser is ever downloaded by the tests). apt-get (as root or with sudo) or brew; else say what to do.
set -e
cmd=$1; deb=$2; brew_formula=$3
command -v "$cmd" >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "pathgrad: '$cmd' is missing; run 'apt-get install $deb' as root" >&2; exit 1
        fi
    fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb"
elif [ -n "$brew_formula" ] && command -v brew >/dev/null 2>&1; then
    brew install "$brew_formula"
else
    echo "pathgrad: '$cmd' is missing and this machine has no apt-get${brew_formula:+ or brew};" >&2
    echo "install $deb yourself${PATHGRAD_HINT:+ ($PATHGRAD_HINT)}, then run make again" >&2
    exit 1
fi
command -v "$cmd" >/dev/null 2>&1 || { echo "pathgrad: installing $deb did not provide '$cmd'" >&2; exit 1; }
