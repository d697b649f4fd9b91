#pragma once
// What templates call without defining it: the globals and the methods of strings and mappings.
// Each is a native function over values alone; none needs the renderer. Private to the Jinja engine.

#include "JinjaValue.h"

#include <map>
#include <string>

namespace sdrt::model::jinja::detail {

// The variables of one scope, by name.
using Scope = std::map<std::string, Value>;

// range, namespace, dict, raise_exception and strftime_now, unless the context defines them.
void addGlobals(Scope &scope);

// `obj.name` as a method bound to obj (str.split, dict.items, …); undefined (named `name`) when a
// value of that type has no such method.
Value method(const Value &obj, const std::string &name);

// dict.items(): (key, value) tuples in insertion order.
Array itemsOf(const Value &mapping);

// str.replace(old, new[, count]) with a call's arguments; the replace filter takes the same.
Value replaced(const std::string &s, const Args &a);

} // namespace sdrt::model::jinja::detail
