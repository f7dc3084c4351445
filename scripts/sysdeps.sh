#!/bin/sh
# Installs the Debian packages Gendan's browser tests and documents need, when they are missing.
set -e
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need="$need fonts-wqy-microhei"
# WeasyPrint (purchase-order PDFs) lays text out with Pango; ldconfig is in /sbin, often off a user's PATH
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
$LDCONFIG -p 2>/dev/null | grep -q "libpango-1.0.so" || need="$need libpango-1.0-0"
$LDCONFIG -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || need="$need libpangoft2-1.0-0"
# pdftotext and pdftoppm: the document tests read the PDFs they make
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "missing Debian packages:$need (install them as root)"; exit 1
fi
SUDO=""; [ "$(id -u)" != "0" ] && SUDO=sudo
echo "installing Debian packages:$need"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
