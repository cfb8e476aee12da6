// Throughput of the CRC-32 (zlib polynomial, reflected) candidates available as Debian packages:
// zlib crc32_z, libdeflate_crc32 and ISA-L crc32_gzip_refl, plus oncutf's own Crc32::extend (which
// wraps the chosen one). docs/adr/0002-crc32-implementation.md records the figures and the choice.
// Every candidate is first checked against zlib on the same bytes (whole buffers and split
// buffers, since the hasher feeds chunks); a mismatch aborts.
//
// The three libraries are loaded with dlopen (libz.so.1, libdeflate.so.0, libisal.so.2) so this
// program links nothing beyond what every benchmark links; a missing one is skipped.
// Built by bench/CMakeLists.txt (release preset); run by bench/bench_hash.sh.

#include "core/hash/crc32.h"

#include <benchmark/benchmark.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

using CrcFn = std::uint32_t (*)(std::uint32_t, const unsigned char *, std::size_t);

// The libraries' own signatures differ (unsigned long, uint64_t lengths); each is called through a
// pointer of its exact type and adapted here.
using ZlibFn = unsigned long (*)(unsigned long, const unsigned char *, std::size_t);
using DeflateFn = std::uint32_t (*)(std::uint32_t, const void *, std::size_t);
using IsalFn = std::uint32_t (*)(std::uint32_t, const unsigned char *, std::uint64_t);

ZlibFn g_zlib = nullptr;
DeflateFn g_deflate = nullptr;
IsalFn g_isal = nullptr;

void *symbol(const char *library, const char *name)
{
    void *handle = ::dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        std::fprintf(stderr, "%s not found: skipping %s\n", library, name);
        return nullptr;
    }
    return ::dlsym(handle, name);
}

std::uint32_t zlibCrc(std::uint32_t crc, const unsigned char *data, std::size_t size)
{
    return static_cast<std::uint32_t>(g_zlib(crc, data, size));
}

std::uint32_t deflateCrc(std::uint32_t crc, const unsigned char *data, std::size_t size)
{
    return g_deflate(crc, data, size);
}

std::uint32_t isalCrc(std::uint32_t crc, const unsigned char *data, std::size_t size)
{
    return g_isal(crc, data, size);
}

std::uint32_t oncutfCrc(std::uint32_t crc, const unsigned char *data, std::size_t size)
{
    return oncutf::core::hash::Crc32::extend(crc, data, size);
}

const std::vector<unsigned char> &randomBytes()
{
    static const std::vector<unsigned char> bytes = [] {
        std::vector<unsigned char> b(std::size_t{64} << 20);
        std::mt19937_64 gen(0x0c0ffee);
        for (auto &c : b)
            c = static_cast<unsigned char>(gen());
        return b;
    }();
    return bytes;
}

void checkAgainstZlib(const char *name, CrcFn fn)
{
    const auto &bytes = randomBytes();
    for (std::size_t size : {0UL, 1UL, 3UL, 15UL, 16UL, 63UL, 64UL, 255UL, 4095UL, 4096UL, 65537UL,
                             (1UL << 20) + 7}) {
        for (std::size_t offset : {0UL, 1UL, 7UL}) {
            const unsigned char *p = bytes.data() + offset;
            const std::uint32_t expected = zlibCrc(0, p, size);
            const std::uint32_t whole = fn(0, p, size);
            const std::uint32_t split = fn(fn(0, p, size / 3), p + size / 3, size - size / 3);
            if (whole != expected || split != expected) {
                std::fprintf(stderr, "%s differs from zlib at size %zu offset %zu: %08x/%08x vs %08x\n",
                             name, size, offset, whole, split, expected);
                std::abort();
            }
        }
    }
}

void runCrc(benchmark::State &state, CrcFn fn)
{
    const auto &bytes = randomBytes();
    const auto size = static_cast<std::size_t>(state.range(0));
    std::uint32_t crc = 0;
    for (auto _ : state) {
        crc = fn(crc, bytes.data(), size);
        benchmark::DoNotOptimize(crc);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// 4 KiB (a small file), 256 KiB (fits L2), 1 MiB (the hasher's read chunk, in L2/L3 right after
// read() copied it) and 64 MiB (streaming from RAM, the worst case).
void registerCandidate(const char *name, CrcFn fn)
{
    checkAgainstZlib(name, fn);
    auto *bench = benchmark::RegisterBenchmark(name, [fn](benchmark::State &state) { runCrc(state, fn); });
    for (int size : {4 << 10, 256 << 10, 1 << 20, 64 << 20})
        bench->Arg(size);
}

} // namespace

int main(int argc, char **argv)
{
    g_zlib = reinterpret_cast<ZlibFn>(symbol("libz.so.1", "crc32_z"));
    g_deflate = reinterpret_cast<DeflateFn>(symbol("libdeflate.so.0", "libdeflate_crc32"));
    g_isal = reinterpret_cast<IsalFn>(symbol("libisal.so.2", "crc32_gzip_refl"));
    if (g_zlib == nullptr) {
        std::fprintf(stderr, "zlib is the reference and must be present\n");
        return 1;
    }
    registerCandidate("zlib_crc32_z", zlibCrc);
    if (g_deflate != nullptr)
        registerCandidate("libdeflate_crc32", deflateCrc);
    if (g_isal != nullptr)
        registerCandidate("isal_crc32_gzip_refl", isalCrc);
    registerCandidate("oncutf_Crc32_extend", oncutfCrc);
    std::fprintf(stderr, "all candidates equal zlib crc32\n");

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
