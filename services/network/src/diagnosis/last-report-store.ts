import { DiagnosticReport } from '@helpline/contracts';
import { compareAndDelete, keepLease, luaScript, type Redis, tryAcquireLease } from '@helpline/runtime';

// The report is stored before the claim goes, in one step: a waiter that sees the claim
// gone always finds the report. The claim goes only if it is still this diagnosis' own.
const PUT_AND_RELEASE = luaScript(`redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('get', KEYS[2]) == ARGV[3] then redis.call('del', KEYS[2]) end
return 1`);

/** The right to diagnose one customer now; renewed in the background until released. */
export interface DiagnosisClaim {
  readonly customerId: string;
  readonly token: string;
  /** Stops the renewal timer (release and putAndRelease call it). */
  stop(): void;
}

export interface LastReportStoreOptions {
  /** How long a claim lives without renewal: a process that dies mid-diagnosis holds it at most this long. */
  claimTtlMs?: number;
}

/**
 * The last report per customer, kept for DIAGNOSIS_COOLDOWN_MINUTES: a customer who asks
 * again within it gets the same answer and the router is not asked twice. A diagnosis in
 * progress holds a claim (SET NX with a TTL, renewed while it runs) so that a second
 * request for the same customer, from another job or POST /diagnose, waits for its report
 * instead of running its own.
 */
export class LastReportStore {
  private readonly claimTtlMs: number;

  /** `keyPrefix`: the service's own key prefix (`helpline:network`). */
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly cooldownMs: number,
    options: LastReportStoreOptions = {},
  ) {
    this.claimTtlMs = options.claimTtlMs ?? 15_000;
  }

  /** DIAGNOSIS_COOLDOWN_MINUTES=0 turns the cooldown (and with it the claim) off. */
  get enabled(): boolean {
    return this.cooldownMs > 0;
  }

  private key(customerId: string): string {
    return `${this.keyPrefix}:last-report:${customerId}`;
  }

  private claimKey(customerId: string): string {
    return `${this.keyPrefix}:diagnosing:${customerId}`;
  }

  async get(customerId: string): Promise<DiagnosticReport | undefined> {
    if (!this.enabled) return undefined;
    const raw = await this.redis.get(this.key(customerId));
    if (!raw) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const parsed = DiagnosticReport.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }

  /** Takes the customer's claim, or answers undefined when another diagnosis holds it. */
  async claim(customerId: string): Promise<DiagnosisClaim | undefined> {
    const lease = await tryAcquireLease(this.redis, this.claimKey(customerId), this.claimTtlMs);
    if (!lease) return undefined;
    // Renewed while the diagnosis runs (compare-and-extend). A lost claim is not fatal: at
    // worst it expires and one more diagnosis runs.
    const kept = keepLease(lease, {
      ttlMs: this.claimTtlMs,
      renewEveryMs: Math.max(50, Math.floor(this.claimTtlMs / 3)),
    });
    return { customerId, token: lease.token, stop: () => kept.stop() };
  }

  /** Whether some diagnosis holds the customer's claim now. */
  async claimed(customerId: string): Promise<boolean> {
    return (await this.redis.exists(this.claimKey(customerId))) === 1;
  }

  /** Ends a claim without a report (the diagnosis failed): the next request runs its own. */
  async release(claim: DiagnosisClaim): Promise<void> {
    claim.stop();
    await compareAndDelete(this.redis, this.claimKey(claim.customerId), claim.token);
  }

  /**
   * A data-removal request: the customers' last reports and any claim on them go (a
   * diagnosis running now stores its report afterwards; repeating the erasure takes that
   * one too). Answers how many reports were removed.
   */
  async forget(customerIds: readonly string[]): Promise<number> {
    if (customerIds.length === 0) return 0;
    const reports = await this.redis.del(...customerIds.map((id) => this.key(id)));
    await this.redis.del(...customerIds.map((id) => this.claimKey(id)));
    return reports;
  }

  /** Stores the report and ends the claim in one step. */
  async putAndRelease(claim: DiagnosisClaim, report: DiagnosticReport): Promise<void> {
    claim.stop();
    await PUT_AND_RELEASE.run(
      this.redis,
      [this.key(claim.customerId), this.claimKey(claim.customerId)],
      [JSON.stringify(report), String(this.cooldownMs), claim.token],
    );
  }
}
