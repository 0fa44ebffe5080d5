#!/bin/sh
# Compiles the JNI library behind io.vpccni.netlink.sys.LibC (run by Maven in the compile phase).
#   build.sh <jdk home> <output .so>
# Needs a C compiler (cc) and the JDK's jni.h; nothing else.
set -eu
jdk="$1"; out="$2"
src="$(dirname "$0")/vpccni_syscall.c"
mkdir -p "$(dirname "$out")"
exec "${CC:-cc}" -shared -fPIC -O2 -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" -o "$out" "$src"
