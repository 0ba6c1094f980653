#!/usr/bin/env bash
# Makes sure knotd (Knot DNS) is installed: the integration tests start a real authoritative
# server on loopback. Installs it with apt-get when run as root (CI, dev containers); anyone
# else is told the one command to run, rather than having sudo prompt in the middle of a test.
set -euo pipefail

have_knotd() {
  command -v knotd >/dev/null 2>&1 || [ -x /usr/sbin/knotd ]
}

if have_knotd; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  # A failed install falls through to the message below instead of ending the script here.
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq knot; then
    if have_knotd; then
      exit 0
    fi
  fi
fi

echo "knotd (Debian package knot) is needed by the integration tests: run 'sudo apt-get install -y knot'" >&2
exit 1
