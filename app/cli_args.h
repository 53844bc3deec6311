// The command line's small parts, shared by the subcommands (cli_train.cpp, cli_bench.cpp) and the window's options
// (gui_options.cpp): argument vectors, option values, numbers with their ranges, usage errors and exit codes.
#pragma once

#include <charconv>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace ll::app
{

inline constexpr int kExitFailure = 1; // the run failed (bad config, missing data, divergence, error)
inline constexpr int kExitUsage = 2;   // the command line is wrong

// A wrong command line; the message names the option ("--threads: expected ...").
struct UsageError : std::invalid_argument
{
    using std::invalid_argument::invalid_argument;
};

// argv[1..argc): the arguments after the program's (or the subcommand's) name.
inline std::vector<std::string> ToArgs(int argc, char** argv)
{
    return std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc);
}

// The value after args[i] (advancing i); throws UsageError "<option>: missing value" at the end.
inline const std::string& OptionValue(const std::vector<std::string>& args, std::size_t& i)
{
    if (i + 1 >= args.size())
    {
        throw UsageError(args[i].rfind("--", 0) == 0 ? args[i] + ": missing value"
                                                     : "unexpected argument '" + args[i] + "'");
    }
    return args[++i];
}

// Walks "--flag value" pairs: --help / -h set help, every other flag calls on_option(flag, value) (which throws
// UsageError for a flag it does not know); a flag without a value is a UsageError.
template <typename OnOption>
void ForEachOption(const std::vector<std::string>& args, bool& help, OnOption on_option)
{
    for (std::size_t i = 0; i < args.size(); ++i)
    {
        const std::string& flag = args[i];
        if (flag == "--help" || flag == "-h")
        {
            help = true;
            continue;
        }
        on_option(flag, OptionValue(args, i));
    }
}

// text as a T (a whole number for integer T) within [lo, hi]; throws UsageError
// "<option>: expected a whole number in [lo, hi], got 'text'" (">= lo" when hi is T's maximum).
template <typename T>
T ParseNumber(const std::string& option, const std::string& text, T lo, T hi = std::numeric_limits<T>::max())
{
    T value{};
    bool ok = false;
    if constexpr (std::is_integral_v<T>)
    {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        ok = !text.empty() && error == std::errc() && end == text.data() + text.size();
    }
    else
    {
        std::istringstream in(text);
        ok = static_cast<bool>(in >> value) && in.eof();
    }
    if (!ok || !(value >= lo && value <= hi))
    {
        auto show = [](T v)
        {
            std::ostringstream s;
            s << v;
            return s.str();
        };
        const std::string range =
            hi == std::numeric_limits<T>::max() ? ">= " + show(lo) : "in [" + show(lo) + ", " + show(hi) + "]";
        throw UsageError(option + ": expected " + (std::is_integral_v<T> ? "a whole number " : "a number ") + range +
                         ", got '" + text + "'");
    }
    return value;
}

// Parses a subcommand's arguments with parse (which throws UsageError and fills a struct with a `help` flag): a
// usage error prints "<program>: <what>" and the usage to err and gives kExitUsage; --help prints the usage to out
// and gives 0; otherwise parsed is filled and the result is empty (go on).
template <typename Parsed, typename Parse>
std::optional<int> ParseCommandLine(Parse parse, const std::vector<std::string>& args, const char* program,
                                    const char* usage, std::ostream& out, std::ostream& err, Parsed& parsed)
{
    try
    {
        parsed = parse(args);
    }
    catch (const UsageError& e)
    {
        err << program << ": " << e.what() << "\n" << usage;
        return kExitUsage;
    }
    if (parsed.help)
    {
        out << usage;
        return 0;
    }
    return std::nullopt;
}

} // namespace ll::app
