#!/usr/bin/env bash
# Installs Debian's SoftHSM2 (a PKCS#11 token in software) for the tests of
# keys kept in hardware modules (hsm, keystore, node: internal/hsmtest).
# Best effort: without root or apt-get it says so and exits 0, and those
# tests then skip with that reason.
set -euo pipefail
if [ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null 2>&1; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-softhsm: apt-get not found; the PKCS#11 tests will be skipped" >&2
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-softhsm: not root; run 'apt-get install softhsm2' as root, or the PKCS#11 tests will be skipped" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
echo "install-softhsm: $(softhsm2-util --version 2>/dev/null || echo 'softhsm2 installed')"
