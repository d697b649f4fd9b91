#pragma once
// SplitMix64 (Steele, Lea and Flood 2014): the seed mixer behind every derived random stream
// (a trace's seed from the run seed, synthetic data). Header-only, no dependencies.

#include <cstdint>

namespace sdrt {

constexpr std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

} // namespace sdrt
