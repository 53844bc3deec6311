// One name table per enum: value <-> name (plus aliases a reader also accepts), the canonical names in order for
// the UI's combo boxes, and parse errors that name the key and the allowed values, with a "did you mean".
// An enum E gets its table by declaring `const util::EnumNames<E>& NamesOf(E)` in its own namespace; generic code
// (the JSON reader and writer, the UI's combos) finds it by argument-dependent lookup: NamesOf(E{}).
#pragma once

#include "core/util/did_you_mean.h"

#include <cctype>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ll::util
{

template <typename E>
struct EnumName
{
    E value;
    const char* name;
};

template <typename E>
class EnumNames
{
public:
    // Each value's first entry is its canonical name (what Name() gives and writers write); later entries with
    // the same value are aliases that Find / Parse also accept.
    EnumNames(std::initializer_list<EnumName<E>> entries) : m_entries(entries)
    {
        for (const EnumName<E>& e : m_entries)
        {
            if (!Holds(e.value))
            {
                m_values.push_back(e.value);
                m_names.emplace_back(e.name);
            }
        }
    }

    // The canonical name; throws std::logic_error for a value the table does not hold (a cast gone wrong).
    const std::string& Name(E value) const
    {
        for (std::size_t i = 0; i < m_values.size(); ++i)
        {
            if (m_values[i] == value)
            {
                return m_names[i];
            }
        }
        throw std::logic_error("EnumNames: value " + std::to_string(static_cast<long long>(value)) +
                               " has no name (allowed: " + Allowed() + ")");
    }

    std::optional<E> Find(std::string_view name) const
    {
        for (const EnumName<E>& e : m_entries)
        {
            if (name == e.name)
            {
                return e.value;
            }
        }
        return std::nullopt;
    }

    // Find with ASCII case ignored ("ReLU", "Adam"), for lenient callers; the JSON reader is exact.
    std::optional<E> FindIgnoringCase(std::string_view name) const
    {
        std::string lower(name);
        for (char& c : lower)
        {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return Find(lower);
    }

    // Throws std::invalid_argument: `key must be one of "a", "b", got "x"` (and "did you mean" for a near miss).
    E Parse(std::string_view name, const std::string& key) const
    {
        if (const std::optional<E> value = Find(name))
        {
            return *value;
        }
        throw std::invalid_argument(key + " " + Refusal(name));
    }

    // What Parse says after the key: `must be one of "a", "b", got "x" (did you mean "a"?)`.
    std::string Refusal(std::string_view name) const
    {
        const std::string suggestion = Suggest(std::string(name), m_names);
        return "must be one of " + Allowed() + ", got \"" + std::string(name) + "\"" +
               (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)");
    }

    const std::vector<std::string>& Names() const { return m_names; } // canonical names, in table order
    const std::vector<E>& Values() const { return m_values; }         // the same order

    // "\"a\", \"b\", \"c\"": the canonical names for messages.
    std::string Allowed() const
    {
        std::string out;
        for (std::size_t i = 0; i < m_names.size(); ++i)
        {
            out += (i ? ", \"" : "\"") + m_names[i] + "\"";
        }
        return out;
    }

private:
    bool Holds(E value) const
    {
        for (const E v : m_values)
        {
            if (v == value)
            {
                return true;
            }
        }
        return false;
    }

    std::vector<EnumName<E>> m_entries;
    std::vector<E> m_values;
    std::vector<std::string> m_names;
};

// The canonical name of any enum with a table: NameOf(models::Family::Gan) == "gan".
template <typename E>
const std::string& NameOf(E value)
{
    return NamesOf(value).Name(value);
}

} // namespace ll::util
