package cli

import (
	"errors"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// argCount matches cobra's errors for a wrong number of arguments
// (cobra.ExactArgs, MaximumNArgs, MinimumNArgs, RangeArgs), which are
// plain text: the catalogue key each maps to, and its numbers.
var argCount = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), "cli.usage.argsExact"},
	{regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)$`), "cli.usage.argsAtMost"},
	{regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`), "cli.usage.argsAtLeast"},
	{regexp.MustCompile(`^accepts between (\d+ and \d+) arg\(s\), received (\d+)$`), "cli.usage.argsBetween"},
}

// noArgs matches cobra.NoArgs' error for an argument given to a command
// that takes none ("unknown command", though it names no command), and
// requiredFlags cobra's for flags marked required and not given (the
// first is named, as needFlags names it).
var (
	noArgs        = regexp.MustCompile(`^unknown command "(.*)" for "[^"]*"$`)
	requiredFlags = regexp.MustCompile(`^required flag\(s\) "(.*)" not set$`)
)

// valueKinds names what a flag of each pflag type takes, for a value it
// could not read ("--limit takes a whole number").
var valueKinds = map[string]string{
	"int": "cli.usage.kindInt", "int8": "cli.usage.kindInt", "int16": "cli.usage.kindInt", "int32": "cli.usage.kindInt", "int64": "cli.usage.kindInt",
	"uint": "cli.usage.kindUint", "uint8": "cli.usage.kindUint", "uint16": "cli.usage.kindUint", "uint32": "cli.usage.kindUint", "uint64": "cli.usage.kindUint",
	"bool": "cli.usage.kindBool", "duration": "cli.usage.kindDuration", "float32": "cli.usage.kindNumber", "float64": "cli.usage.kindNumber",
}

// usageWords returns err, an error of cobra or pflag about how cmd was
// typed — an unknown flag, a flag without its value or with one it cannot
// read, a wrong number of arguments — said in the user's language with
// what the command takes (its usage line, its --help), instead of the
// libraries' English and Go's ("strconv.ParseInt: parsing …"). Other
// errors are returned as they are.
func usageWords(cmd *cobra.Command, err error) error {
	if cmd == nil || err == nil {
		return err
	}
	path := cmd.CommandPath()
	var notExist *pflag.NotExistError
	var needsValue *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist):
		flag := "--" + notExist.GetSpecifiedName()
		if s := notExist.GetSpecifiedShortnames(); s != "" {
			flag = "-" + s
		}
		return errors.New(say("cli.usage.unknownFlag", "cmd", path, "flag", flag, "help", path+" --help"))
	case errors.As(err, &needsValue):
		return errors.New(say("cli.usage.needsValue", "flag", flagName(needsValue.GetFlag()), "use", cmd.UseLine()))
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		if kind, ok := valueKinds[f.Value.Type()]; ok {
			return errors.New(say("cli.usage.badValue", "flag", flagName(f), "kind", say(kind), "value", invalid.GetValue()))
		}
		return errors.New(say("cli.usage.badValueWhy", "flag", flagName(f), "value", invalid.GetValue(), "why", errors.Unwrap(invalid).Error()))
	}
	if m := noArgs.FindStringSubmatch(err.Error()); m != nil {
		if cmd.HasSubCommands() {
			return unknownSubcommand(cmd, m[1])
		}
		return errors.New(say("cli.usage.noArgs", "cmd", path, "arg", m[1], "use", cmd.UseLine()))
	}
	if m := requiredFlags.FindStringSubmatch(err.Error()); m != nil {
		name, _, _ := strings.Cut(m[1], `"`)
		if f := cmd.Flags().Lookup(name); f != nil {
			return errors.New(say("cli.usage.required", "flag", "--"+name, "usage", f.Usage))
		}
	}
	for _, c := range argCount {
		if m := c.re.FindStringSubmatch(err.Error()); m != nil {
			return errors.New(say(c.key, "cmd", path, "want", strings.Replace(m[1], " and ", "–", 1), "got", m[2], "use", cmd.UseLine()))
		}
	}
	return err
}

func flagName(f *pflag.Flag) string {
	if f == nil {
		return "the flag"
	}
	return "--" + f.Name
}
