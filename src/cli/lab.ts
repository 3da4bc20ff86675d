/** `chom-play lab up|status|down`: disposable real Debian test hosts (src/lab). */
import { Command, InvalidArgumentError } from 'commander';

/** The lab implementation is loaded only when a lab command runs (the CLI starts faster). */
const lab = () => import('../lab/index.js');

const DEFAULT_NAME = 'lab';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

/** Adds up/status/down under `lab`. Accepts the root program or an existing `lab` command. */
export function registerLab(program: Command): void {
  const cmd = program.name() === 'lab' ? program : (program.commands.find((c) => c.name() === 'lab') ?? program.command('lab'));
  cmd.description('disposable real Debian hosts on this machine, for trying playbooks (needs root)');

  cmd
    .command('up')
    .description('start N hosts (own root, network namespace and sshd each) and write inventory/lab-NAME')
    .requiredOption('--hosts <n>', 'number of hosts', positiveInt)
    .option('--systemd', 'boot real systemd in each host (systemd-nspawn)', false)
    .option('--name <name>', 'lab name (several labs can run at once)', DEFAULT_NAME)
    .option('--inventory <dir>', 'where to write hosts.yml and known_hosts (default: inventory/lab-NAME)')
    .action(async (o: { hosts: number; systemd: boolean; name: string; inventory?: string }) => {
      const l = await (
        await lab()
      ).labUp({
        name: o.name,
        hosts: o.hosts,
        systemd: o.systemd,
        inventoryDir: o.inventory,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      for (const h of l.hosts) process.stdout.write(`${h.name}\t${h.address}\n`);
      process.stdout.write(
        `inventory: ${l.inventoryDir}\ntry: ssh -i ${l.keyFile} -o UserKnownHostsFile=${l.knownHostsFile} root@${l.hosts[0].address}\n`,
      );
    });

  cmd
    .command('status')
    .description('list labs and whether their hosts run')
    .action(async () => {
      const labs = await (await lab()).labStatus();
      if (!labs.length) process.stdout.write('no lab is up\n');
      for (const l of labs) {
        const up = l.hosts.filter((h) => h.running).length;
        process.stdout.write(`${l.name}\t${l.status}\t${l.systemd ? 'systemd' : 'plain'}\t${up}/${l.hosts.length} hosts running\n`);
        for (const h of l.hosts) process.stdout.write(`  ${h.name}\t${h.address}\t${h.running ? 'running' : 'stopped'}\n`);
      }
    });

  cmd
    .command('down')
    .description('stop the hosts, unmount, remove namespaces, links, rules and files (idempotent)')
    .option('--name <name>', 'lab name', DEFAULT_NAME)
    .action(async (o: { name: string }) => {
      await (await lab()).labDown(o.name);
      process.stdout.write(`lab ${o.name} is down\n`);
    });
}
