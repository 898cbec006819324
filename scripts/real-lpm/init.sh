#!/bin/sh
# /init of the guest initramfs (busybox-static). It is driven line by line
# over the console (hvc0) by scripts/real-lpm/run.py:
#   snap NAME                  capture the system, print it as base64 tar.gz between markers
#   put FILE                   read base64 lines until a line "END", decode into /tmp/FILE
#   ofdt VERB PHANDLE PROP [FILE]
#                              /proc/powerpc/ofdt VERB_property PHANDLE PROP [<len> <bytes of FILE>],
#                              VERB = update | add | remove
#   mark                       remember the md5 of the drconf LMB property
#   waitchange SECONDS         wait until that md5 changes, then until it and the
#                              memory blocks are stable for 1 s (hotplug done)
#   poweroff
# Every command ends with a line "CMD-DONE <command> rc=<n>".
/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Kernel messages would interleave with the base64 stream: keep the console quiet
# (everything still goes to the ring buffer, captured as dmesg.txt).
dmesg -n 1
stty -echo 2>/dev/null
DRCONF=/proc/device-tree/ibm,dynamic-reconfiguration-memory
lmbprop() {
  if [ -e "$DRCONF/ibm,dynamic-memory" ]; then echo "$DRCONF/ibm,dynamic-memory"
  else echo "$DRCONF/ibm,dynamic-memory-v2"; fi
}
dtsum() { cat "$(lmbprop)" "$DRCONF/ibm,associativity-lookup-arrays" 2>/dev/null | md5sum | cut -d' ' -f1; }
blocksum() { cat /sys/devices/system/memory/memory*/state 2>/dev/null | md5sum | cut -d' ' -f1; }
offline_count() { grep -l -v '^online' /sys/devices/system/memory/memory*/state 2>/dev/null | wc -l; }

snap() {
  name="$1"; d="/tmp/snap-$name"
  rm -rf "$d"; mkdir -p "$d/proc" "$d/sys/devices/system/memory" "$d/sys/devices/system/node"
  date > "$d/date.txt"; cut -d' ' -f1,2 /proc/uptime >> "$d/date.txt"
  uname -a > "$d/uname.txt"
  dmesg > "$d/dmesg.txt"
  for f in cpuinfo meminfo iomem zoneinfo buddyinfo cmdline version; do cat /proc/$f > "$d/proc/$f"; done
  cp -r /sys/firmware/devicetree/base "$d/device-tree"
  cat /sys/firmware/fdt > "$d/sys-firmware-fdt.dtb"
  m=/sys/devices/system/memory
  ls -l $m > "$d/ls-l-sys-devices-system-memory.txt"
  for f in block_size_bytes auto_online_blocks; do cat $m/$f > "$d/sys/devices/system/memory/$f"; done
  : > "$d/memory-block-nodes.txt"
  for b in $m/memory*; do
    n=$(basename "$b"); o="$d/sys/devices/system/memory/$n"; mkdir -p "$o"
    for f in state online phys_index removable valid_zones phys_device; do
      cat "$b/$f" > "$o/$f" 2>/dev/null
    done
    links=""
    for l in "$b"/node*; do [ -e "$l" ] && links="$links$(basename "$l") "; done
    for l in $links; do echo "$l"; done > "$o/node-links"
    echo "$n $links" >> "$d/memory-block-nodes.txt"
  done
  s=/sys/devices/system/node
  for f in online possible has_cpu has_memory has_normal_memory; do cat $s/$f > "$d/sys/devices/system/node/$f" 2>/dev/null; done
  for nd in $s/node[0-9]*; do
    n=$(basename "$nd"); o="$d/sys/devices/system/node/$n"; mkdir -p "$o"
    for f in cpulist distance meminfo; do cat "$nd/$f" > "$o/$f"; done
    for l in "$nd"/memory[0-9]*; do [ -e "$l" ] && basename "$l"; done > "$o/memory-links"
  done
  (cd /tmp && tar czf "/tmp/$name.tar.gz" "snap-$name")
  echo "=====BEGIN SNAPSHOT $name====="
  base64 "/tmp/$name.tar.gz"
  echo "=====END SNAPSHOT $name md5=$(md5sum "/tmp/$name.tar.gz" | cut -d' ' -f1)====="
  rm -rf "$d" "/tmp/$name.tar.gz"
}

put() {
  : > "/tmp/$1.b64"
  while read -r line; do
    [ "$line" = END ] && break
    echo "$line" >> "/tmp/$1.b64"
  done
  base64 -d "/tmp/$1.b64" > "/tmp/$1" && echo "PUT $1 $(wc -c < "/tmp/$1") $(md5sum < "/tmp/$1" | cut -d' ' -f1)"
}

# A command must reach the kernel in ONE write(): build the buffer in a file,
# then let dd write it with a single block.
ofdt() {
  if [ "$1" = remove ]; then
    len=0
    printf 'remove_property %s %s' "$2" "$3" > /tmp/ofdt.cmd
  else
    len=$(wc -c < "/tmp/$4")
    printf '%s_property %s %s %s ' "$1" "$2" "$3" "$len" > /tmp/ofdt.cmd
    cat "/tmp/$4" >> /tmp/ofdt.cmd
  fi
  dd if=/tmp/ofdt.cmd of=/proc/powerpc/ofdt bs=65536 count=1 2>/tmp/dd.err
  rc=$?
  echo "OFDT $1 $3 len=$len rc=$rc $(tr '\n' ' ' < /tmp/dd.err)"
  return $rc
}

waitchange() {
  limit=$(( $1 * 5 )); i=0
  while [ "$(dtsum)" = "$MARK" ] && [ $i -lt $limit ]; do sleep 0.2; i=$((i + 1)); done
  changed=no; [ "$(dtsum)" != "$MARK" ] && changed=yes
  prev=""; stable=0; i=0
  while [ $stable -lt 5 ] && [ $i -lt $limit ]; do
    cur="$(dtsum)-$(blocksum)-$(offline_count)"
    if [ "$cur" = "$prev" ]; then stable=$((stable + 1)); else stable=0; fi
    prev="$cur"; sleep 0.2; i=$((i + 1))
  done
  echo "WAIT changed=$changed sum=$(dtsum) offline=$(offline_count) polls=$i"
}

echo "uptime at init: $(cut -d' ' -f1,2 /proc/uptime)"
echo "GUEST-READY"
while read -r cmd a1 a2 a3 a4; do
  case "$cmd" in
    snap) snap "$a1" ;;
    put) put "$a1" ;;
    ofdt) ofdt "$a1" "$a2" "$a3" "$a4" ;;
    mark) MARK="$(dtsum)"; echo "MARK $MARK" ;;
    waitchange) waitchange "${a1:-30}" ;;
    sh) sh -c "$a1 $a2 $a3 $a4" ;;
    poweroff) echo "POWERING-OFF"; sync; poweroff -f ;;
    "") continue ;;
    *) echo "unknown command: $cmd" ;;
  esac
  echo "CMD-DONE $cmd rc=$?"
done
echo "console closed"; poweroff -f
