package cli

import (
	"os"
	"regexp"
)

// The languages weid writes for people, as the web pages name them:
// English, Simplified Chinese and Traditional Chinese as written in Hong
// Kong and Macau.
const (
	langEN   = "en"
	langZhCN = "zh-CN"
	langZhHK = "zh-HK"
)

var (
	zhLocale   = regexp.MustCompile(`(?i)^zh([_.@-]|$)`)
	hantLocale = regexp.MustCompile(`(?i)^zh[_-](hant|hk|mo|tw)([_.@-]|$)`)
	hansLocale = regexp.MustCompile(`(?i)^zh[_-]hans([_.@-]|$)`)
)

// userLang is the language the user's locale asks for, read as POSIX
// programs read it (the first set of LC_ALL, LC_MESSAGES, LANG; XBD §8.2):
// zh_HK, zh_MO, zh_TW and zh_Hant are Traditional Chinese (zh-HK), other
// zh locales Simplified Chinese (zh-CN), anything else English, as the
// web pages choose from a browser's language.
func userLang() string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			return localeLang(v)
		}
	}
	return langEN
}

// localeLang maps a POSIX locale name (zh_CN.UTF-8) or BCP 47 tag (zh-HK)
// to one of the three languages.
func localeLang(v string) string {
	switch {
	case !zhLocale.MatchString(v):
		return langEN
	case hansLocale.MatchString(v):
		return langZhCN
	case hantLocale.MatchString(v):
		return langZhHK
	}
	return langZhCN
}
