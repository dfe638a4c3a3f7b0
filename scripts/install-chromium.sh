#!/usr/bin/env bash
# Installs Debian's headless-capable chromium for the web pages' browser tests
# (web/browser_test.go), and a CJK font so that the Chinese pages render with
# real glyphs, not boxes (tofu). Best effort: without root or apt-get it says
# so and exits 0; the browser tests then skip with that reason (without a
# CJK font, only their tofu check skips).
set -euo pipefail
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; }
need_chromium=1
[ -x /usr/bin/chromium ] && need_chromium=0
need_font=1
has_cjk_font && need_font=0
if [ "$need_chromium" = 0 ] && [ "$need_font" = 0 ]; then
	exit 0
fi
what="chromium fonts-noto-cjk"
[ "$need_chromium" = 0 ] && what="fonts-noto-cjk"
[ "$need_font" = 0 ] && what="chromium"
. "$(dirname "$0")/apt-best-effort.sh"
apt_or_skip install-chromium "$what" browser
if [ "$need_chromium" = 1 ]; then
	apt-get install -y -qq --no-install-recommends chromium >/dev/null
	echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
fi
if [ "$need_font" = 1 ]; then
	# Noto CJK covers Simplified and Traditional Chinese; WenQuanYi Micro Hei
	# is the smaller fallback.
	if apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null 2>&1 ||
		apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1; then
		echo "install-chromium: CJK font: $(fc-list :lang=zh family 2>/dev/null | head -n 1)"
	else
		echo "install-chromium: no CJK font could be installed (fonts-noto-cjk, fonts-wqy-microhei); the Chinese pages' tofu check will be skipped" >&2
	fi
fi
