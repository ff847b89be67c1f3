#!/usr/bin/env bash
# Prints the base image for the Dockerfile's BASE_IMAGE argument, making it first when it has to.
# The Dockerfile's default is the public python:3.11-slim-bookworm; it is used when the engine has it or can pull
# it. Where no registry answers (this project's machines and CI), a local base stands in, built once and kept in
# the engine as botbridge-base:bookworm-python3.11 (a second run finds it and only prints its name): Debian bookworm
# by debootstrap from this machine's own Debian mirror, with Debian's Python 3.11 (python3-venv for the build
# stage), the name `python`, and this machine's CA bundle, without which nothing inside a build reaches PyPI here.
# Needs root and debootstrap for the local base (tools/docker_engine.sh installs it).
set -euo pipefail

PUBLIC=python:3.11-slim-bookworm
LOCAL=botbridge-base:bookworm-python3.11

if [ -n "${BASE_IMAGE:-}" ]; then
  echo "$BASE_IMAGE"
  exit 0
fi
for image in "$PUBLIC" "$LOCAL"; do
  if docker image inspect "$image" >/dev/null 2>&1; then
    echo "$image"
    exit 0
  fi
done
if docker pull --quiet "$PUBLIC" >/dev/null 2>&1; then
  echo "$PUBLIC"
  exit 0
fi

# The first Debian mirror apt uses here (deb822 "URIs:" or one-line "deb URL" entries).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | awk '/^URIs:/ {print $2} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' | grep -m1 '/debian/\?$' || true)
mirror=${mirror:-http://deb.debian.org/debian}
started=$SECONDS
root=$(mktemp -d /var/tmp/botbridge-base.XXXXXX)
trap 'rm -rf "$root" "$root.log"' EXIT
echo "no registry answers: making $LOCAL with debootstrap from $mirror (2 to 4 minutes, once)" >&2
debootstrap --variant=minbase --include=python3,python3-venv bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; exit 1; }
chmod 0755 "$root"  # mktemp made it 0700: the image's / must let every user through
ln -sf python3 "$root/usr/bin/python"
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$LOCAL" >/dev/null
echo "made $LOCAL in $((SECONDS - started)) s" >&2
echo "$LOCAL"
