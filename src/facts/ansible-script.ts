/**
 * The host-side half of Ansible's fact names: raw material read with bash builtins where possible
 * (`read` from /proc and /etc, printf '%(...)T'), a handful of forks otherwise, in the same round
 * trip as the native facts. Everything travels as NUL-separated `name value` pairs through ONE
 * base64 (forks, not bytes, are the cost on a host); src/facts/ansible.ts turns them into
 * Ansible's names, types and values. Kept apart so the price of Ansible compatibility is visible
 * in one place (measured: about 24 ms of CPU and ~23 extra forks per host, see issue 12 notes).
 */
export const ANSIBLE_FACTS_BASH = String.raw`
p() { printf '%s\0%s\0' "$1" "$2"; }
rd() { local v=""; [ -r "$2" ] && IFS= read -r -d '' v <"$2"; p "$1" "$v"; }
ansible_raw() {
rd a_osr /etc/os-release
rd a_debver /etc/debian_version
rd a_ostype /proc/sys/kernel/ostype
rd a_osrelease /proc/sys/kernel/osrelease
rd a_kversion /proc/sys/kernel/version
rd a_node /proc/sys/kernel/hostname
rd a_mem /proc/meminfo
rd a_resolv /etc/resolv.conf
rd a_dbus_id /var/lib/dbus/machine-id
rd a_machine_id /etc/machine-id
rd a_cgroup1 /proc/1/cgroup
rd a_sdcontainer /run/systemd/container
rd a_dmi_product /sys/devices/virtual/dmi/id/product_name
rd a_dmi_vendor /sys/devices/virtual/dmi/id/sys_vendor
local ce="" l
if [ -r /proc/1/environ ]; then while IFS= read -r -d '' l; do [[ $l == container=* ]] && ce=@{l#container=}; done </proc/1/environ; fi
p a_container "$ce"
v=""; [ -e /.dockerenv ] || [ -e /.dockerinit ] && v=docker; [ -e /proc/vz ] && [ ! -e /proc/lve ] && v=openvz
p a_virtfiles "$v"
command -v lsb_release >/dev/null && p a_lsb 1
rd a_fips /proc/sys/crypto/fips_enabled
rd a_comm /proc/1/comm
p a_cpu "$(grep -E '^(processor|vendor_id|model name|physical id|core id|cpu cores|siblings)[[:space:]]*:' /proc/cpuinfo)"
c=0
if command -v systemctl >/dev/null && { [ -d /run/systemd/system ] || [ -d /dev/.run/systemd ] || [ -d /dev/.systemd ]; }; then c=1; fi
il=""; [ -L /sbin/init ] && il=$(readlink /sbin/init)
ini=0; [ -d /etc/init.d ] && ini=1
oc=0; [ -e /sbin/openrc ] && oc=1
up=0; command -v initctl >/dev/null && [ -d /etc/init ] && up=1
p a_svc "$c|$il|$ini|$oc|$up"
p a_route "$(ip -4 -o route get 8.8.8.8; ip -6 -o route get 2404:6800:400a:800::1012)"
p a_addr "$(ip -o addr show)"
p a_link "$(ip -o link show)"
local -a mp=() dev=()
local l
while IFS= read -r l; do
  set -- $l
  if { [[ $1 == [/\\]* ]] || [[ $1 == *:/* ]]; } && [ "$3" != none ]; then dev+=("$l"); mp+=("$(printf '%b' "$2")"); fi
done </proc/mounts
p a_mounts "$(printf '%s\n' "@{dev[@]}")"
[ "@{#mp[@]}" -gt 0 ] && p a_statfs "$(stat -f -c '%S %s %b %f %a %c %d %n' -- "@{mp[@]}")"
p a_pw "$(getent passwd "$EUID")"
rd a_status /proc/$$/status
local t=$EPOCHREALTIME; local s=@{t%[.,]*} d u z w
printf -v d '%(%Y|%m|%d|%H|%M|%S|%Z|%z|%A|%w|%W|%Y%m%dT%H%M%S)T' "$s"
TZ=UTC0 printf -v z '%(%Y-%m-%dT%H:%M:%S)T' "$s"
printf -v w '%(%Z)T|%(%Z)T' 0 15638400
p a_date "$d|$z|$s|@{t#*[.,]}|$w"
p a_chroot "$(stat -c '%d:%i' / /proc/1/root/.)"
[ -d /sys/kernel/security/apparmor ] && p a_apparmor enabled
local ad; ad=$(getent ahosts "$HOSTNAME" | { read -r a _ && printf '%s' "$a"; })
p a_fqdn "$([ -n "$ad" ] && getent hosts "$ad" | head -n1)"
}
printf '%s a_all %s\n' "$M" "$(ansible_raw 2>/dev/null | base64 -w0)"
printf '%s a_env %s\n' "$M" "$(base64 -w0 </proc/$$/environ 2>/dev/null)"
`.replace(/@\{/g, '${');
