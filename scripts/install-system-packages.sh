#!/usr/bin/env bash
# Debian packages the test suite uses: Chromium for the browser tests (driven by Playwright; no browser
# download), Apache Jena (rsparql, shacl) and raptor's rapper as independent RDF/SPARQL/SHACL tools, and a JDK
# (test_clients runs Jena's rsparql from a one-file Java program, which needs the compiler module).
# Installs only what is missing, so a second run is quick; uses sudo when not root.
set -euo pipefail
system_packages=(chromium libapache-jena-java openjdk-17-jdk-headless raptor2-utils)
missing=()
for package in "${system_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "+ apt-get install -y ${missing[*]}"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
fi
