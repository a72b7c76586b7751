/**
 * Logs Insights is billed per GB of log data scanned. USD 0.005 per GB is the list price of standard
 * queries on the Amazon CloudWatch pricing page (aws.amazon.com/cloudwatch/pricing, "Logs" tab) in
 * US East (N. Virginia); other regions differ slightly. It is an estimate for the report, never a bill.
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
