#!/bin/sh
# install-deps.sh - make sure the Debian packages pinnc builds with are present.
# Installs what is missing with apt-get when run as root; otherwise says what to install.
set -e
# optional ones (each behind a CMake switch) are not installed here; for data-parallel training
# over MPI (PINN_MPI): apt-get install libopenmpi-dev openmpi-bin
PKGS="build-essential cmake pkg-config libopenblas-dev liblapacke-dev libyaml-dev zlib1g-dev libcairo2-dev python3 python3-numpy"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "pinnc: installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq $missing >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "pinnc: installing Debian packages with sudo:$missing"
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "pinnc: missing Debian packages:$missing" >&2
  echo "pinnc: run as root, or: sudo apt-get install$missing" >&2
  exit 1
fi
