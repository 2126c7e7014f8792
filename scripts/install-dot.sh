#!/bin/sh
# Install Graphviz's `dot`, which the `graphviz` Python package calls to render drawings.
set -e
command -v dot >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "pathgrad: Graphviz's 'dot' is missing; run 'apt-get install graphviz' as root" >&2; exit 1
        fi
    fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz
elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
else
    echo "pathgrad: Graphviz's 'dot' is missing and neither apt-get nor brew is here;" >&2
    echo "install Graphviz from https://graphviz.org/download/ and run make again" >&2
    exit 1
fi
command -v dot >/dev/null 2>&1 || { echo "pathgrad: installing Graphviz did not provide 'dot'" >&2; exit 1; }
