#!/usr/bin/env bash
# Installs Debian's zbar-tools, whose zbarimg decodes the QR codes the node
# draws in internal/qr's tests (an independent decoder). Best effort:
# without root or apt-get it says so and exits 0, and those tests then skip
# with that reason.
set -euo pipefail
if command -v zbarimg >/dev/null 2>&1; then
	exit 0
fi
. "$(dirname "$0")/apt-best-effort.sh"
apt_or_skip install-zbar zbar-tools "QR decoding"
apt-get install -y -qq --no-install-recommends zbar-tools >/dev/null
echo "install-zbar: $(command -v zbarimg || echo 'zbar-tools installed')"
