#!/bin/sh
# install_test.sh BUILD SOURCE [CFLAGS] - install pinnc into a temporary prefix, then build
# examples/poisson1d.c against it twice (pkg-config with the shared library; CMake's
# find_package(pinnc)) and run both briefly; checks the man page and the headers are installed.
set -eu
build=$1 src=$2 extra=${3:-}
prefix=$build/install-test
rm -rf "$prefix" && mkdir -p "$prefix"
cmake --install "$build" --prefix "$prefix/usr" >/dev/null
fail() { echo "install_test: FAIL: $*" >&2; exit 1; }
for f in include/pinnc.h include/pinnc/train.h include/pinnc/report.h share/man/man1/pinnc.1 bin/pinnc; do
  [ -e "$prefix/usr/$f" ] || fail "$f not installed"
done
lib=$(ls -d "$prefix"/usr/lib*/ | head -n 1); lib=${lib%/}
[ -e "$lib/libpinnc.a" ] || fail "libpinnc.a not installed"
[ -e "$lib/libpinnc.so" ] || fail "libpinnc.so not installed"
[ -e "$lib/cmake/pinnc/pinncConfig.cmake" ] || fail "pinncConfig.cmake not installed"
export PKG_CONFIG_PATH="$lib/pkgconfig"
pkg-config --exists pinnc || fail "pkg-config does not find pinnc"
echo "pkg-config --cflags --libs pinnc: $(pkg-config --cflags --libs pinnc)"
# shellcheck disable=SC2046
cc -std=c17 -O1 $extra "$src/examples/poisson1d.c" $(pkg-config --cflags --libs pinnc) -lm -o "$prefix/poisson1d"
LD_LIBRARY_PATH="$lib" ldd "$prefix/poisson1d" | grep -q "$lib/libpinnc.so" || fail "poisson1d is not linked to the installed libpinnc.so"
LD_LIBRARY_PATH="$lib" "$prefix/poisson1d" 300 100 1 0.5 || fail "poisson1d (pkg-config build) failed"
# the CMake package
mkdir -p "$prefix/cmake-app"
cat > "$prefix/cmake-app/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.25)
project(app LANGUAGES C)
find_package(pinnc REQUIRED)
add_executable(poisson1d $src/examples/poisson1d.c)
target_compile_options(poisson1d PRIVATE $extra)
target_link_options(poisson1d PRIVATE $extra)
target_link_libraries(poisson1d PRIVATE pinnc::pinnc_shared m)
CM
cmake -S "$prefix/cmake-app" -B "$prefix/cmake-app/build" -DCMAKE_PREFIX_PATH="$prefix/usr" >/dev/null || fail "find_package(pinnc) failed"
cmake --build "$prefix/cmake-app/build" >/dev/null || fail "building against the CMake package failed"
LD_LIBRARY_PATH="$lib" "$prefix/cmake-app/build/poisson1d" 300 100 1 0.5 || fail "poisson1d (CMake build) failed"
echo "install_test: ok"
