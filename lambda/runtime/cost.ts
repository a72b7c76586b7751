/**
 * Logs Insights is billed per GB of log data scanned (CloudWatch Logs user guide; QueryStatistics in the
 * API reference). USD 0.005 per GB is the US East (N. Virginia) list price as widely quoted; the pricing
 * page itself (aws.amazon.com/cloudwatch/pricing) could not be read when this was written, so treat the
 * constant as unverified, and other regions differ. It is an estimate for the report, never a bill.
 */
export const INSIGHTS_USD_PER_GB = 0.005;
const GB = 1024 ** 3;

export interface CostEstimate {
  bytesScanned: number;
  /** bytesScanned x INSIGHTS_USD_PER_GB, rounded to a hundredth of a cent. */
  estimatedCostUsd: number;
  usdPerGb: number;
}

export function estimateCost(bytesScanned: number): CostEstimate {
  const bytes = Number.isFinite(bytesScanned) && bytesScanned > 0 ? bytesScanned : 0;
  return { bytesScanned: bytes, estimatedCostUsd: Math.round((bytes / GB) * INSIGHTS_USD_PER_GB * 10_000) / 10_000, usdPerGb: INSIGHTS_USD_PER_GB };
}
