#!/usr/bin/env bash
# Installs the Debian packages the test suites drive for real, when they are missing.
# chromium: e2e tests; openssh-server: the source server; libxml2-utils: xmllint for XSD checks;
# postgresql: the H-Sphere system database; openssl: certificates for the TLS pinning tests;
# mariadb-server + mariadb-client: the MySQL databases the linux agent lists (the tests start
# their own server; none needs to run as a service); libio-socket-ssl-perl: HTTPS for agents served
# over SOAP (test/soap).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
perl -MIO::Socket::SSL -e 1 >/dev/null 2>&1 || need+=(libio-socket-ssl-perl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
{ [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ] || command -v mariadbd >/dev/null 2>&1; } || need+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1 || need+=(mariadb-client)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing system packages for the tests: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
