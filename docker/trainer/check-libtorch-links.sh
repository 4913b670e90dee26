#!/bin/sh
# Run while the trainer image is built: every library the trainer's libtorch flavour needs from
# DIR (libtorch as the image ships it) must resolve, the JNI library included, with DIR on the
# search path as DJL makes it (it loads every library of the folder before libtorch). The one
# exception is libcuda.so.1, the driver's library, which no image holds: the NVIDIA container
# runtime mounts it into GPU containers when they start.
# Usage: check-libtorch-links.sh DIR FLAVOR (cu128, cpu, ...)
set -eu
[ "$#" -eq 2 ] || { echo "usage: check-libtorch-links.sh DIR FLAVOR" >&2; exit 2; }
dir=$1 flavor=$2
case "$flavor" in
  cu*) libraries="libtorch_cuda.so libc10_cuda.so libtorch_cpu.so libc10.so" ;;
  *) libraries="libtorch_cpu.so libc10.so" ;;
esac
jni=$(find "$dir" -maxdepth 1 -name '*libdjl_torch.so' | head -n1)
[ -n "$jni" ] || { echo "check-libtorch-links: no libdjl_torch.so (the JNI library) in $dir" >&2; exit 1; }
status=0
for library in $libraries "$(basename "$jni")"; do
  if [ ! -f "$dir/$library" ]; then
    echo "check-libtorch-links: $dir/$library is missing: not the $flavor build of libtorch" >&2
    status=1
    continue
  fi
  missing=$(LD_LIBRARY_PATH="$dir" ldd "$dir/$library" | grep 'not found' | grep -v '^[[:space:]]*libcuda\.so\.1 ' || true)
  if [ -n "$missing" ]; then
    echo "check-libtorch-links: $library needs libraries that are not in the image: $(echo "$missing" | tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//')" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "check-libtorch-links: $libraries and $(basename "$jni") resolve in $dir ($flavor)"
exit "$status"
