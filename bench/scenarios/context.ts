import type { Timing, TransactionCounter } from '../compare.ts';
import type { Stack } from '../stack.ts';
import type { TokenPool } from '../tokens.ts';

export interface ScenarioContext {
  stack: Stack;
  /** jobseekers of the population that the load logs in as (all with the bench password) */
  users: { login: string; password: string }[];
  timing: Timing;
  connections: number;
  /** live refresh-token chains, for our provider and for the bare one */
  chains: { ours: TokenPool; bare?: TokenPool };
  /** anything worth keeping beside the table (error kinds, rounds, revocation timings) */
  details: Record<string, unknown>;
  /** counts the bench database's transactions (statements per request) */
  transactions?: TransactionCounter;
}
