#!/usr/bin/env bash
# Installs Debian's SoftHSM2 (a PKCS#11 token in software) for the tests of
# keys kept in hardware modules (hsm, keystore, node: internal/hsmtest).
# Best effort: without root or apt-get it says so and exits 0, and those
# tests then skip with that reason.
set -euo pipefail
if [ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null 2>&1; then
	exit 0
fi
. "$(dirname "$0")/apt-best-effort.sh"
apt_or_skip install-softhsm softhsm2 "PKCS#11"
apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
echo "install-softhsm: $(softhsm2-util --version 2>/dev/null || echo 'softhsm2 installed')"
