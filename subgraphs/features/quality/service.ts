import type { Transaction } from '../../../platform/database.ts';
import type { FeatureRow } from '../../../adapters/core/feature-store.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';
import { FeatureStats } from './checks.ts';

interface CheckedFeature {
  id: string;
  name: string;
  checks: unknown;
}

/**
 * Accumulates the statistics of the features that declare checks over one evaluation (an ingest
 * batch, a whole materialization) and records the outcome: the feature's quality becomes VALIDATED
 * when every check passed and FAILING otherwise; features without checks stay as they are.
 */
export class QualityEvaluation {
  private readonly stats: { feature: CheckedFeature; stats: FeatureStats }[];

  constructor(features: CheckedFeature[]) {
    this.stats = features
      .filter((f) => f.checks && typeof f.checks === 'object' && Object.keys(f.checks).length > 0)
      .map((feature) => ({ feature, stats: new FeatureStats(feature.checks as Record<string, unknown>) }));
  }

  add(rows: readonly FeatureRow[]): void {
    if (this.stats.length === 0) return;
    for (const row of rows) for (const { feature, stats } of this.stats) stats.add(row.values[feature.name] ?? null);
  }

  /** Writes quality, last results and a history row per checked feature, inside the caller's transaction. */
  async record(tx: Transaction, trigger: 'INGEST' | 'MATERIALIZE', at: Date): Promise<void> {
    for (const { feature, stats } of this.stats) {
      if (stats.count === 0) continue;
      const results = stats.evaluate();
      const passed = results.every((r) => r.passed);
      const json = results as unknown as Prisma.InputJsonArray;
      await tx.feature.update({
        where: { id: feature.id },
        data: { quality: passed ? 'VALIDATED' : 'FAILING', lastChecks: json, checkedAt: at },
      });
      await tx.featureCheckResult.create({
        data: { featureId: feature.id, trigger, passed, results: json, createdAt: at },
      });
    }
  }
}
