import type { Task } from './model.js';

/**
 * Ansible's tag selection (lib/ansible/playbook/taggable.py, evaluate_tags), including the
 * special tags: `always` runs unless skipped explicitly, `never` runs only when one of the
 * task's tags is asked for, `tagged` / `untagged` / `all` as selectors. No --tags means `all`.
 */
export function selectByTags(tasks: Task[], tags: string[], skipTags: string[]): Task[] {
  const only = new Set(tags.length > 0 ? tags : ['all']);
  const skip = new Set(skipTags);
  return tasks.filter((t) => shouldRun(t.tags, only, skip));
}

export function shouldRun(taskTags: string[], only: ReadonlySet<string>, skip: ReadonlySet<string>): boolean {
  const untagged = taskTags.length === 0;
  const tags = new Set(untagged ? ['untagged'] : taskTags);
  const meets = (sel: ReadonlySet<string>): boolean => [...tags].some((t) => sel.has(t));
  let run: boolean;
  if (tags.has('always')) run = true;
  else if (only.has('all') && !tags.has('never')) run = true;
  else if (meets(only)) run = true;
  else run = only.has('tagged') && !untagged && !tags.has('never');
  if (!run || skip.size === 0) return run;
  if (skip.has('all')) return tags.has('always') && !skip.has('always');
  if (meets(skip)) return false;
  if (skip.has('tagged') && !untagged) return false;
  return true;
}

/** `tags:` as written (string, comma string, number, list) -> list of tag names. */
export function normTags(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of list) {
    for (const part of String(item).split(',')) {
      const t = part.trim();
      if (t && !out.includes(t)) out.push(t);
    }
  }
  return out;
}

/** Tags of an outer scope first, then the task's own, without duplicates. */
export function mergeTags(outer: string[], own: string[]): string[] {
  return [...new Set([...outer, ...own])];
}
