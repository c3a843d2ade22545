import { DiagnosticReport } from '@helpline/contracts';
import type { Redis } from 'ioredis';

/**
 * The last report per customer, kept for DIAGNOSIS_COOLDOWN_MINUTES: a customer who asks
 * again within it gets the same answer and the router is not asked twice.
 */
export class LastReportStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cooldownMs: number,
  ) {}

  private key(customerId: string): string {
    return `${this.prefix}:network:last-report:${customerId}`;
  }

  async get(customerId: string): Promise<DiagnosticReport | undefined> {
    if (this.cooldownMs <= 0) return undefined;
    const raw = await this.redis.get(this.key(customerId));
    if (!raw) return undefined;
    const parsed = DiagnosticReport.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async put(customerId: string, report: DiagnosticReport): Promise<void> {
    if (this.cooldownMs <= 0) return;
    await this.redis.set(this.key(customerId), JSON.stringify(report), 'PX', this.cooldownMs);
  }
}
