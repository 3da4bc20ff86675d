/**
 * Names Ansible users write that chom-play does not (yet) have, so a miss can say "this is
 * Ansible's X, chom-play lacks it" instead of "unknown". Data only; keep each list sorted.
 * A name chom-play implements may stay listed: implemented names are checked first.
 */

/** ansible.builtin modules (ansible-core 2.14-2.17), short names. */
export const BUILTIN_MODULES: readonly string[] = [
  'add_host', 'apt', 'apt_key', 'apt_repository', 'assemble', 'assert', 'async_status', 'blockinfile', 'command',
  'copy', 'cron', 'deb822_repository', 'debconf', 'debug', 'dnf', 'dnf5', 'dpkg_selections', 'expect', 'fail',
  'fetch', 'file', 'find', 'gather_facts', 'get_url', 'getent', 'git', 'group', 'group_by', 'hostname',
  'import_playbook', 'import_role', 'import_tasks', 'include', 'include_role', 'include_tasks', 'include_vars',
  'iptables', 'known_hosts', 'lineinfile', 'meta', 'mount_facts', 'package', 'package_facts', 'pause', 'ping', 'pip',
  'raw', 'reboot', 'replace', 'rpm_key', 'script', 'service', 'service_facts', 'set_fact', 'set_stats', 'setup',
  'shell', 'slurp', 'stat', 'subversion', 'systemd', 'systemd_service', 'sysvinit', 'tempfile', 'template',
  'unarchive', 'uri', 'user', 'validate_argument_spec', 'wait_for', 'wait_for_connection', 'yum', 'yum_repository',
];

/**
 * Modules of the collections public roles use most, by FQCN. Before Ansible 2.10 most were
 * written by short name, which Ansible still routes, so short names are matched too.
 */
export const COLLECTION_MODULES: readonly string[] = [
  'ansible.posix.acl', 'ansible.posix.at', 'ansible.posix.authorized_key', 'ansible.posix.firewalld',
  'ansible.posix.mount', 'ansible.posix.patch', 'ansible.posix.seboolean', 'ansible.posix.selinux',
  'ansible.posix.synchronize', 'ansible.posix.sysctl',
  'community.crypto.openssh_keypair', 'community.crypto.openssl_csr', 'community.crypto.openssl_dhparam',
  'community.crypto.openssl_privatekey', 'community.crypto.x509_certificate',
  'community.docker.docker_compose_v2', 'community.docker.docker_container', 'community.docker.docker_image',
  'community.docker.docker_network', 'community.docker.docker_volume',
  'community.general.alternatives', 'community.general.archive', 'community.general.capabilities',
  'community.general.cronvar', 'community.general.filesystem', 'community.general.git_config',
  'community.general.htpasswd', 'community.general.ini_file', 'community.general.locale_gen',
  'community.general.lvg', 'community.general.lvol', 'community.general.make', 'community.general.modprobe',
  'community.general.nmcli', 'community.general.npm', 'community.general.pam_limits', 'community.general.pamd',
  'community.general.parted', 'community.general.pipx', 'community.general.sefcontext', 'community.general.snap',
  'community.general.ssh_config', 'community.general.sudoers', 'community.general.timezone', 'community.general.ufw',
  'community.general.xml', 'community.general.yarn',
  'community.mysql.mysql_db', 'community.mysql.mysql_query', 'community.mysql.mysql_replication',
  'community.mysql.mysql_user', 'community.mysql.mysql_variables',
  'community.postgresql.postgresql_db', 'community.postgresql.postgresql_privs', 'community.postgresql.postgresql_user',
];

/**
 * Facts ansible-core's setup module reports on a Debian host that chom-play does not gather
 * (Python, hardware inventory, SELinux, LSB, SSH host keys ...), without the `ansible_` prefix.
 */
export const UNGATHERED_FACTS: readonly string[] = [
  'bios_date', 'bios_vendor', 'bios_version', 'board_asset_tag', 'board_name', 'board_serial', 'board_vendor',
  'board_version', 'chassis_asset_tag', 'chassis_serial', 'chassis_vendor', 'chassis_version', 'cmdline',
  'device_links', 'devices', 'discovered_interpreter_python', 'distribution_file_parsed', 'distribution_file_path',
  'effective_group_id', 'effective_user_id', 'fibre_channel_wwn', 'form_factor', 'hostnqn', 'interfaces',
  'iscsi_iqn', 'loadavg', 'lsb', 'lvm', 'memfree_mb', 'memory_mb', 'proc_cmdline', 'processor',
  'product_name', 'product_serial', 'product_uuid', 'product_version', 'python', 'python_version',
  'real_group_id', 'real_user_id', 'selinux', 'selinux_python_present', 'ssh_host_key_ecdsa_public',
  'ssh_host_key_ed25519_public', 'ssh_host_key_rsa_public', 'swapfree_mb', 'swaptotal_mb', 'system_capabilities',
  'system_capabilities_enforced', 'system_vendor', 'uptime_seconds',
];

/** Ansible's magic variables named ansible_*: not facts (gather_facts does not help). */
export const MAGIC_VARS: readonly string[] = [
  'ansible_check_mode', 'ansible_collection_name', 'ansible_config_file', 'ansible_dependent_role_names',
  'ansible_diff_mode', 'ansible_forks', 'ansible_index_var', 'ansible_inventory_sources', 'ansible_limit',
  'ansible_loop', 'ansible_loop_var', 'ansible_managed', 'ansible_parent_role_names', 'ansible_parent_role_paths',
  'ansible_play_batch', 'ansible_play_hosts', 'ansible_play_hosts_all', 'ansible_play_name', 'ansible_play_role_names',
  'ansible_playbook_python', 'ansible_role_name', 'ansible_role_names', 'ansible_run_tags', 'ansible_search_path',
  'ansible_skip_tags', 'ansible_verbosity', 'ansible_version',
];

/** Connection and privilege variables: they come from the inventory (or -e), never from the host. */
export const CONNECTION_VARS: readonly string[] = [
  'ansible_become', 'ansible_become_exe', 'ansible_become_flags', 'ansible_become_method', 'ansible_become_pass',
  'ansible_become_password', 'ansible_become_user', 'ansible_connection', 'ansible_host', 'ansible_password',
  'ansible_port', 'ansible_private_key_file', 'ansible_python_interpreter', 'ansible_shell_executable',
  'ansible_shell_type', 'ansible_ssh_common_args', 'ansible_ssh_executable', 'ansible_ssh_extra_args',
  'ansible_ssh_host', 'ansible_ssh_pass', 'ansible_ssh_port', 'ansible_ssh_private_key_file', 'ansible_ssh_user',
  'ansible_sudo', 'ansible_sudo_pass', 'ansible_timeout', 'ansible_user',
];
