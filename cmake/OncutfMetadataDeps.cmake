# Libraries the metadata engine (src/core/metadata) needs beyond Qt Core: libexiv2 for the
# in-process fast reader. ExifTool is a runtime tool (the `exiftool` program), not a link
# dependency. Usage, after project():
#   include(OncutfMetadataDeps)
#   target_link_libraries(oncutf_core PUBLIC oncutf_metadata_deps)
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)
pkg_check_modules(EXIV2 REQUIRED IMPORTED_TARGET exiv2>=0.27)

add_library(oncutf_metadata_deps INTERFACE)
target_link_libraries(oncutf_metadata_deps INTERFACE PkgConfig::EXIV2)
