# Sourced by the install-*.sh scripts: installing the tools some tests need
# is best effort.
#
# apt_or_skip NAME PACKAGES TESTS: unless apt-get is there and this runs as
# root, says why not (NAME: the script; PACKAGES: what it would install;
# TESTS: which tests will then skip) and exits 0; otherwise refreshes
# apt's package lists, non-interactively.
apt_or_skip() {
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "$1: apt-get not found; install $2 yourself, or the $3 tests will be skipped" >&2
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "$1: not root; run 'apt-get install $2' as root, or the $3 tests will be skipped" >&2
		exit 0
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
}
