#!/usr/bin/env bash
# Debian packages the test suite uses: Chromium for the browser tests (driven by Playwright; no browser
# download), Apache Jena (rsparql, shacl) and raptor's rapper as independent RDF/SPARQL/SHACL tools, a JDK
# (test_clients runs Jena's rsparql from a one-file Java program, which needs the compiler module), and
# Virtuoso Open Source as a second real remote store (tests/test_virtuoso_store.py starts its own instance).
# Installs only what is missing, so a second run is quick; uses sudo when not root.
set -euo pipefail
system_packages=(chromium libapache-jena-java openjdk-17-jdk-headless raptor2-utils virtuoso-opensource)
missing=()
for package in "${system_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "+ apt-get install -y ${missing[*]}"
  "${as_root[@]}" apt-get update
  # Virtuoso's package asks for a dba password; left blank (the noninteractive answer) it sets none, and the
  # default instance it may start is not used: the tests run their own from a temporary folder.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
  if [[ " ${missing[*]} " == *" virtuoso-opensource "* ]]; then
    # Where an init system started the package's default instance (dba password "dba", HTTP on every interface),
    # stop it and keep it from starting at boot; in a container without one, policy-rc.d already kept it from starting.
    "${as_root[@]}" invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    "${as_root[@]}" update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
  fi
fi
