#!/bin/sh
# Install Debian's Chromium, which the page tests drive through playwright (no browser is downloaded).
set -e
command -v chromium >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "pathgrad: chromium is missing; run 'apt-get install chromium' as root" >&2; exit 1
        fi
    fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
else
    echo "pathgrad: chromium is missing and apt-get is not here; install Chromium and set" >&2
    echo "PATHGRAD_CHROMIUM to its executable, then run make again" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1 || { echo "pathgrad: installing chromium did not provide 'chromium'" >&2; exit 1; }
