# oncutf_hash_deps: what src/core/hash needs beyond Qt Core. ISA-L supplies the CRC-32
# (crc32_gzip_refl, chosen by benchmark: docs/adr/0002-crc32-implementation.md). Debian: libisal-dev.
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
add_library(oncutf_hash_deps INTERFACE)
target_link_libraries(oncutf_hash_deps INTERFACE PkgConfig::ISAL)
