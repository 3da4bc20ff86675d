import type { Vars } from '../inventory/model.js';

/**
 * How a host's facts appear to playbooks under Ansible's names: `ansible_facts.NAME` (Ansible's
 * dict, without prefix) and `ansible_NAME` top-level variables (Ansible's INJECT_FACTS_AS_VARS
 * default). The native chom-play facts (cpu, memory_mb, ...) stay under `facts` and, for
 * compatibility, also under ansible_facts where Ansible has no fact of that name.
 */
// scopeFor runs once per task: build each host's views once (facts objects are never mutated).
const ofCache = new WeakMap<Vars, Vars>();
const varsCache = new WeakMap<Vars, Vars>();

export function ansibleFactsOf(facts: Vars | undefined): Vars {
  const f = facts ?? {};
  const hit = ofCache.get(f);
  if (hit) return hit;
  const a = f.ansible_facts;
  const ansible = a && typeof a === 'object' && !Array.isArray(a) ? (a as Vars) : {};
  const native: Vars = {};
  for (const [k, v] of Object.entries(f)) if (k !== 'ansible_facts') native[k] = v;
  const out = { ...native, ...ansible };
  ofCache.set(f, out);
  return out;
}

/** `ansible_NAME` for every Ansible-named fact (only those Ansible has: never the native names). */
export function ansibleFactVars(facts: Vars | undefined): Vars {
  const a = facts?.ansible_facts;
  if (!facts || !a || typeof a !== 'object' || Array.isArray(a)) return {};
  const hit = varsCache.get(facts);
  if (hit) return hit;
  const out: Vars = {};
  for (const [k, v] of Object.entries(a as Vars)) out[`ansible_${k}`] = v;
  varsCache.set(facts, out);
  return out;
}
