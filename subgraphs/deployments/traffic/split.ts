/** One deployment's share of an endpoint's traffic, by Cairn's deployment ID. */
export interface Share {
  deploymentId: string;
  percent: number;
}

/** A whole split: live shares sum to 100 (or none is live); shadow shares mirror and never answer. */
export interface Split {
  live: Share[];
  shadow: Share[];
}

/**
 * Scales shares to sum to `total`, keeping their proportions, in integers (largest remainder, ties
 * to the earlier share). Shares that end at 0 are dropped.
 */
export function scaleShares(shares: Share[], total: number): Share[] {
  const sum = shares.reduce((acc, share) => acc + share.percent, 0);
  if (sum === 0 || total === 0) return [];
  const exact = shares.map((share) => (share.percent * total) / sum);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - floors[index]! }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    floors[index]! += 1;
    left -= 1;
  }
  return shares
    .map((share, index) => ({ deploymentId: share.deploymentId, percent: floors[index]! }))
    .filter((share) => share.percent > 0);
}

/** `live` with `deploymentId` at `percent` and the others scaled to share what is left. */
export function withLiveShare(live: Share[], deploymentId: string, percent: number): Share[] {
  const others = live.filter((share) => share.deploymentId !== deploymentId);
  if (others.length === 0 || percent >= 100) return [{ deploymentId, percent: 100 }];
  return [...scaleShares(others, 100 - percent), ...(percent > 0 ? [{ deploymentId, percent }] : [])];
}

/** Only the shares above 0, in a stable order (by deployment ID), for comparing and recording splits. */
export function normalize(shares: Share[]): Share[] {
  return shares.filter((share) => share.percent > 0).sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));
}

export function sameSplit(a: Split, b: Split): boolean {
  return (
    JSON.stringify({ l: normalize(a.live), s: normalize(a.shadow) }) ===
    JSON.stringify({ l: normalize(b.live), s: normalize(b.shadow) })
  );
}

/** The split in force, read from the catalog's deployment rows. */
export function splitOf(deployments: { id: string; trafficPercent: number; shadowPercent: number }[]): Split {
  return {
    live: normalize(deployments.map((d) => ({ deploymentId: d.id, percent: d.trafficPercent }))),
    shadow: normalize(deployments.map((d) => ({ deploymentId: d.id, percent: d.shadowPercent }))),
  };
}

/**
 * The deployment a split gives all live traffic, if one: it becomes the endpoint's stable
 * deployment (where a rollback returns), whoever changed the split.
 */
export function fullShareOf(split: Split): string | null {
  return split.live.find((share) => share.percent === 100)?.deploymentId ?? null;
}
