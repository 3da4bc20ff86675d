/**
 * Connection problems in classes an operator can act on. The transport words its errors for
 * people (src/transport/ssh.ts); this maps those words to a class, whether trying again can
 * help, and what to do. Host-key and authentication failures are never retried: retrying
 * cannot fix them and hammering a host with bad credentials can lock the account.
 * Classes and their advice are the shared ones of src/failure-class.ts.
 */
import { FAILURE_ADVICE, type FailureClass } from '../failure-class.js';

export type ConnClass = Extract<
  FailureClass,
  'host-key' | 'auth' | 'connect-timeout' | 'refused' | 'reset' | 'unreachable' | 'connection-lost' | 'other'
>;

export interface ConnProblem {
  class: ConnClass;
  /** Worth another try (with backoff): the host may come back in seconds. */
  transient: boolean;
  /** One line saying what the operator should do. */
  todo: string;
}

const problem = (cls: ConnClass, transient: boolean): ConnProblem => ({ class: cls, transient, todo: FAILURE_ADVICE[cls] });

const RULES: Array<{ re: RegExp; problem: ConnProblem }> = [
  { re: /host key/i, problem: problem('host-key', false) },
  {
    re: /authentication failed|all configured authentication methods failed|permission denied \(publickey/i,
    problem: problem('auth', false),
  },
  { re: /timed out|ETIMEDOUT|timeout/i, problem: problem('connect-timeout', true) },
  { re: /refused|ECONNREFUSED/i, problem: problem('refused', true) },
  { re: /ECONNRESET|reset by peer|EPIPE|socket hang up/i, problem: problem('reset', true) },
  { re: /connection lost|no exit status|closed by remote/i, problem: problem('connection-lost', false) },
  { re: /no route|EHOSTUNREACH|ENETUNREACH|cannot resolve|ENOTFOUND|EAI_AGAIN/i, problem: problem('unreachable', false) },
];

export function classifyConnError(message: string): ConnProblem {
  for (const r of RULES) if (r.re.test(message)) return r.problem;
  return { class: 'other', transient: false, todo: 'see the message above; check the host and rerun' };
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  tries: number;
  /** First delay; doubled each time, each delay multiplied by a random 0.5..1.5 (jitter). */
  baseMs: number;
  maxMs: number;
}

/** 3 tries, about 1 s then 2 s apart: a restarting sshd or a brief blip is ridden out within ~10 s. */
export const DEFAULT_RETRY: RetryPolicy = { tries: 3, baseMs: 1000, maxMs: 4000 };

export function backoffMs(attempt: number, p: RetryPolicy, random: () => number = Math.random): number {
  const raw = Math.min(p.maxMs, p.baseMs * 2 ** attempt);
  return Math.round(raw * (0.5 + random()));
}

/**
 * Runs `attempt` until it succeeds, fails with a non-transient problem, or tries run out.
 * `onRetry` is told about each retry (for a warning line). Rejects with the last error.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (err: Error, problem: ConnProblem, delayMs: number, tryNo: number) => void = () => {},
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const problem = classifyConnError(e.message);
      if (!problem.transient || i + 1 >= policy.tries) throw e;
      const d = backoffMs(i, policy);
      onRetry(e, problem, d, i + 2);
      await sleep(d);
    }
  }
}
