#include "JinjaBuiltins.h"

#include "JinjaStrings.h"

#include <ctime>

namespace sdrt::model::jinja::detail {
namespace {

using Result = Expected<Value, std::string>;

// --- Globals -------------------------------------------------------------------------------------

Result range(Args &a)
{
    long long start = 0, stop = 0, step = 1;
    if (a.positional.size() == 1)
        stop = a.positional[0].i;
    else if (a.positional.size() >= 2) {
        start = a.positional[0].i;
        stop = a.positional[1].i;
        if (a.positional.size() > 2)
            step = a.positional[2].i;
    }
    if (step == 0)
        return unexpected(std::string("range() arg 3 must not be zero"));
    Array out;
    for (long long k = start; step > 0 ? k < stop : k > stop; k += step) {
        if (out.size() > 10'000'000)
            return unexpected(std::string("range() is too long"));
        out.push_back(Value::integer(k));
    }
    return Value::array(std::move(out));
}

Result makeNamespace(Args &a)
{
    Value ns = Value::object();
    ns.isNamespace = true;
    for (auto &p : a.positional)
        if (p.kind == Value::Kind::Object)
            for (auto &[k, v] : *p.o)
                ns.set(k, v);
    for (auto &[k, v] : a.keywords)
        ns.set(k, v);
    return ns;
}

Result makeDict(Args &a)
{
    Value d = Value::object();
    for (auto &[k, v] : a.keywords)
        d.set(k, v);
    return d;
}

Result raiseException(Args &a)
{
    return unexpected("the template raised: " + str(a.get(0, "message")));
}

Result strftimeNow(Args &a)
{
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buf[256];
    const std::string fmt = str(a.get(0, "format"));
    const std::size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &local);
    return Value::string(std::string(buf, n));
}

// --- Methods of strings --------------------------------------------------------------------------

// A method's function, `self` and the method's name bound in.
using Method = Value (*)(const Value &self, const std::string &name);

Value startsOrEndsWith(const Value &self, const std::string &name)
{
    return Value::function([self, name](Args &a) -> Result {
        const Value arg = a.get(0, "prefix");
        std::vector<std::string> options;
        if (arg.kind == Value::Kind::Array)
            for (const Value &x : *arg.a)
                options.push_back(x.s);
        else
            options.push_back(arg.s);
        for (const auto &o : options) {
            if (name == "startswith" ? self.s.compare(0, o.size(), o) == 0
                                     : self.s.size() >= o.size() && self.s.compare(self.s.size() - o.size(), o.size(), o) == 0)
                return Value::boolean(true);
        }
        return Value::boolean(false);
    });
}

Value stripMethod(const Value &self, const std::string &name)
{
    return Value::function([self, name](Args &a) -> Result {
        return Value::string(stripChars(self.s, a.get(0, "chars"), name != "rstrip", name != "lstrip"));
    });
}

Value splitMethod(const Value &self, const std::string &name)
{
    return Value::function([self, name](Args &a) -> Result {
        const Value sep = a.get(0, "sep");
        const long long max = a.get(1, "maxsplit", Value::integer(-1)).i;
        return strings(name == "rsplit" ? rsplit(self.s, sep, max) : split(self.s, sep, max));
    });
}

Value changeCase(const Value &self, const std::string &name)
{
    return Value::function([self, change = caseChange(name)](Args &) -> Result { return Value::string(change(self.s)); });
}

Value replaceMethod(const Value &self, const std::string &)
{
    return Value::function([self](Args &a) -> Result { return replaced(self.s, a); });
}

Value findOrCount(const Value &self, const std::string &name)
{
    return Value::function([self, name](Args &a) -> Result {
        const std::string sub = str(a.get(0, "sub"));
        if (name == "find") {
            const auto f = self.s.find(sub);
            return Value::integer(f == std::string::npos ? -1 : static_cast<long long>(f));
        }
        long long n = 0;
        for (std::size_t k = sub.empty() ? std::string::npos : self.s.find(sub); k != std::string::npos; k = self.s.find(sub, k + sub.size()))
            ++n;
        return Value::integer(n);
    });
}

Value joinMethod(const Value &self, const std::string &)
{
    return Value::function([self](Args &a) -> Result {
        const Value seq = a.get(0, "iterable");
        std::string out;
        if (seq.kind == Value::Kind::Array)
            for (std::size_t k = 0; k < seq.a->size(); ++k)
                out += (k ? self.s : "") + str((*seq.a)[k]);
        return Value::string(out);
    });
}

const std::map<std::string, Method> &stringMethods()
{
    static const std::map<std::string, Method> table{
        {"startswith", startsOrEndsWith}, {"endswith", startsOrEndsWith}, {"strip", stripMethod}, {"lstrip", stripMethod},
        {"rstrip", stripMethod}, {"split", splitMethod}, {"rsplit", splitMethod}, {"upper", changeCase},
        {"lower", changeCase}, {"title", changeCase}, {"capitalize", changeCase}, {"replace", replaceMethod},
        {"find", findOrCount}, {"count", findOrCount}, {"join", joinMethod},
    };
    return table;
}

// --- Methods of mappings -------------------------------------------------------------------------

Value itemsMethod(const Value &self, const std::string &)
{
    return Value::function([self](Args &) -> Result { return Value::array(itemsOf(self)); });
}

Value keysOrValues(const Value &self, const std::string &name)
{
    return Value::function([self, name](Args &) -> Result {
        Array out;
        for (const auto &[k, v] : *self.o)
            out.push_back(name == "keys" ? Value::string(k) : v);
        return Value::array(std::move(out));
    });
}

Value getMethod(const Value &self, const std::string &)
{
    return Value::function([self](Args &a) -> Result {
        if (const Value *v = self.find(str(a.get(0, "key"))))
            return *v;
        return a.get(1, "default", Value::none());
    });
}

const std::map<std::string, Method> &mappingMethods()
{
    static const std::map<std::string, Method> table{{"items", itemsMethod}, {"keys", keysOrValues}, {"values", keysOrValues}, {"get", getMethod}};
    return table;
}

} // namespace

void addGlobals(Scope &scope)
{
    scope.try_emplace("range", Value::function(range));
    scope.try_emplace("namespace", Value::function(makeNamespace));
    scope.try_emplace("dict", Value::function(makeDict));
    scope.try_emplace("raise_exception", Value::function(raiseException));
    scope.try_emplace("strftime_now", Value::function(strftimeNow));
}

Value method(const Value &obj, const std::string &name)
{
    const std::map<std::string, Method> *methods = nullptr;
    if (obj.kind == Value::Kind::String)
        methods = &stringMethods();
    else if (obj.kind == Value::Kind::Object && !obj.isNamespace) // a namespace() has attributes only
        methods = &mappingMethods();
    if (methods)
        if (const auto it = methods->find(name); it != methods->end())
            return it->second(obj, name);
    return Value::undefined(name);
}

Array itemsOf(const Value &mapping)
{
    Array out;
    for (const auto &[k, v] : *mapping.o) {
        Value pair = Value::array({Value::string(k), v});
        pair.isTuple = true;
        out.push_back(pair);
    }
    return out;
}

Value replaced(const std::string &s, const Args &a)
{
    return Value::string(replaceAll(s, str(a.get(0, "old")), str(a.get(1, "new")), a.get(2, "count", Value::integer(-1)).i));
}

} // namespace sdrt::model::jinja::detail
