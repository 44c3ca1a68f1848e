#!/bin/busybox sh
# /init of the initramfs that scripts/linux_fetch.sh builds for hv's Linux guests: mounts
# proc, sys and devtmpfs, names the machine after the command line's tag= (default "linux"),
# prints the marker line the tests and make run-linux wait for, then a shell on the console
# (cttyhack finds it in /sys/class/tty/console/active: ttyS0 with console=ttyS0).
# With poweroff_after=N on the command line there is no shell: N seconds after the marker
# the guest powers itself off (poweroff -f), for runs nobody types into (the Bochs test,
# make bench-linux).
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
tag=linux after=""
for w in $(cat /proc/cmdline); do
  case $w in
    tag=*) tag=${w#tag=} ;;
    poweroff_after=*) after=${w#poweroff_after=} ;;
  esac
done
hostname "$tag"
export HOME=/root PATH=/bin:/sbin:/usr/bin:/usr/sbin PS1="$tag# "
echo "LINUX-GUEST-READY $tag $(uname -r)"
if [ -n "$after" ]; then
  [ "$after" = 0 ] || sleep "$after"
  poweroff -f
fi
exec setsid cttyhack sh
