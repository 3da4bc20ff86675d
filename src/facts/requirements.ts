import type { Vars } from '../inventory/model.js';
import type { Play } from '../playbook/model.js';

const REQUIREMENT_KEYS = ['cpu', 'memory_mb', 'disk_gb', 'disk_free_gb'] as const;

/**
 * A role may declare minimums in meta/main.yml (`requires: {cpu: 2, memory_mb: 2048, ...}`).
 * Returns one message per unmet requirement of any role of the play, for this host's facts.
 */
export function unmetRequirements(play: Play, host: string, facts: Vars | undefined): string[] {
  const out: string[] = [];
  for (const role of play.roles) {
    const req = role.meta.requires as Vars | undefined;
    if (!req || typeof req !== 'object') continue;
    for (const key of REQUIREMENT_KEYS) {
      if (req[key] === undefined) continue;
      const need = Number(req[key]);
      const have = facts?.[key];
      if (typeof have !== 'number') {
        out.push(
          `host ${host}: role ${role.name} requires ${key} >= ${need}, but ${key} is unknown (facts not gathered: set gather_facts: true)`,
        );
      } else if (have < need) {
        out.push(`host ${host}: role ${role.name} requires ${key} >= ${need}, the host has ${have}`);
      }
    }
  }
  return out;
}
