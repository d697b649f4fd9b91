#pragma once
// Python's str operations as templates call them (as methods and as filters), on UTF-8 text.
// Case changes and white space are ASCII's, as before; other bytes pass through unchanged.
// Private to the Jinja engine.

#include "JinjaValue.h"

#include <string>
#include <vector>

namespace sdrt::model::jinja::detail {

// str.strip/lstrip/rstrip: `chars` a string, else white space.
std::string stripChars(const std::string &s, const Value &chars, bool left, bool right);

std::string upper(std::string s);
std::string lower(std::string s);
std::string title(std::string s);
std::string capitalize(std::string s);
// The case change a method or filter of this name makes (upper, lower, title, capitalize), or null.
using CaseChange = std::string (*)(std::string);
CaseChange caseChange(const std::string &name);

// str.split: `sep` a string, else runs of white space; at most `maxsplit` splits when >= 0.
std::vector<std::string> split(const std::string &s, const Value &sep, long long maxsplit);
// str.rsplit: as split, but the splits counted by `maxsplit` are the last ones.
std::vector<std::string> rsplit(const std::string &s, const Value &sep, long long maxsplit);
// str.replace: at most `count` replacements when >= 0.
std::string replaceAll(const std::string &s, const std::string &from, const std::string &to, long long count);

// The characters of UTF-8 text, each a string, as Python iterates a str.
Array characters(const std::string &s);
// The strings of `items` one after the other (characters back into text).
std::string concatenated(const Array &items);
// A list of strings.
Value strings(const std::vector<std::string> &parts);

} // namespace sdrt::model::jinja::detail
