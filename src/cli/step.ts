import type { Playbook } from '../playbook/model.js';
import { promptLine } from '../vault/prompt.js';

/**
 * --step: Ansible asks before each task whether to run it. chom-play sends each host one script,
 * so the questions come before the run, one per task in play order, with Ansible's wording and
 * answers: y runs it, n (the default) skips it (an always-false `when`, so it is reported as
 * skipped), c runs it and every task after it without asking.
 */
let stepMode = false;

export function setStepMode(on: boolean): void {
  stepMode = on;
}

export function applyStep(playbook: Playbook, ask: (q: string) => string = promptLine): void {
  if (!stepMode) return;
  for (const play of playbook.plays) {
    for (const task of play.tasks) {
      const a = ask(`Perform task: TASK: ${task.name} (N)o/(y)es/(c)ontinue: `).trim().toLowerCase();
      if (a === 'c' || a === 'continue') return;
      if (a !== 'y' && a !== 'yes') task.when = [...task.when, 'false'];
    }
  }
}
