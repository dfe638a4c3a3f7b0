#!/usr/bin/env bash
# Installs Debian's zbar-tools, whose zbarimg decodes the QR codes the node
# draws in internal/qr's tests (an independent decoder). Best effort:
# without root or apt-get it says so and exits 0, and those tests then skip
# with that reason.
set -euo pipefail
if command -v zbarimg >/dev/null 2>&1; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-zbar: apt-get not found; the QR decoding tests will be skipped" >&2
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-zbar: not root; run 'apt-get install zbar-tools' as root, or the QR decoding tests will be skipped" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends zbar-tools >/dev/null
echo "install-zbar: $(command -v zbarimg || echo 'zbar-tools installed')"
