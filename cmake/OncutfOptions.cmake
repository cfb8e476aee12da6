# One INTERFACE target carrying the language standard, warnings, strict Qt macros and sanitizers.
# Every oncutf target links it; nothing sets these flags anywhere else.
add_library(oncutf_options INTERFACE)
target_compile_features(oncutf_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

target_compile_options(oncutf_options INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wpedantic -Wnull-dereference -Wdouble-promotion
  -Wimplicit-fallthrough -Wformat=2)
if(ONCUTF_WERROR)
  target_compile_options(oncutf_options INTERFACE -Werror)
endif()

# Strict Qt: no `signals`/`slots` keywords, no implicit narrowing in connect, no silent
# QString<->char* conversions that would mangle file names that are not UTF-8.
target_compile_definitions(oncutf_options INTERFACE
  QT_NO_KEYWORDS
  QT_NO_CAST_TO_ASCII
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_NO_FOREACH
  QT_NO_URL_CAST_FROM_STRING
  QT_USE_QSTRINGBUILDER
  QT_DISABLE_DEPRECATED_BEFORE=0x060400)

if(ONCUTF_SANITIZE STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_compile_options(oncutf_options INTERFACE ${_san})
  target_link_options(oncutf_options INTERFACE ${_san})
elseif(ONCUTF_SANITIZE STREQUAL "thread")
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_options(oncutf_options INTERFACE ${_san})
  target_link_options(oncutf_options INTERFACE ${_san})
elseif(NOT ONCUTF_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ONCUTF_SANITIZE must be '', 'address' or 'thread'")
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  # At -O3 GCC 12 inlines Qt's QHash deep enough to report a "potential null pointer dereference"
  # inside qhash.h itself (a path Qt guards at run time). Warned, not fatal, in Release only; the
  # dev, asan and tsan builds keep it an error for our own code.
  target_compile_options(oncutf_options INTERFACE -Wno-error=null-dereference)
endif()
if(NOT ONCUTF_SANITIZE STREQUAL "")
  # GCC 12's flow-sensitive warnings misfire once sanitizer instrumentation changes inlining:
  # -Wmaybe-uninitialized on std::optional members (GCC PR 105562 and relatives) and
  # -Wnull-dereference inside Qt's own qhash.h. The normal build keeps both warnings as errors.
  target_compile_options(oncutf_options INTERFACE -Wno-maybe-uninitialized -Wno-null-dereference)
endif()
