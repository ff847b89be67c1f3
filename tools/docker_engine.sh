#!/usr/bin/env bash
# Makes sure a Docker engine answers, for `make image` and `make image-test`. Run as root on a machine with none
# running (CI, this project's machines), it installs Debian's docker.io (and debootstrap and docker-compose, which
# tools/image_base.sh and the compose demo use) when missing, then starts dockerd in the background with no
# iptables and no default bridge, as this project's sandboxed machines run it: `docker run` needs
# `--network host` or a user-defined network (compose makes one; its containers find each other by name). The storage driver is dockerd's own choice: overlay2 where the
# kernel allows it (here: `docker run` in about 1 s), else vfs (a full copy of the image for every container and
# layer: 5-15 s per `docker run` here); a machine that already holds images keeps the driver that made them.
# The log goes to /var/log/botbridge-dockerd.log. An engine that already answers is used as it is.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "no Docker engine answers, and only root can start one here: start dockerd, then re-run" >&2
  exit 1
fi

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian" >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
      >/var/log/botbridge-apt.log 2>&1; then
    tail -n 20 /var/log/botbridge-apt.log >&2
    exit 1
  fi
fi

# setsid: the engine outlives the make that started it, and is not stopped by a Ctrl-C in this terminal.
setsid dockerd --iptables=false --bridge=none >>/var/log/botbridge-dockerd.log 2>&1 </dev/null &
for _ in $(seq 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60 s; its log: /var/log/botbridge-dockerd.log" >&2
tail -n 20 /var/log/botbridge-dockerd.log >&2
exit 1
