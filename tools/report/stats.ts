/**
 * The statistics of `inpage report`, as small formulas (each checked against hand-computed values
 * in test/unit/report-stats.test.ts): the normal distribution, Wilson intervals for rates,
 * two-sample z-tests for a difference in rates or means, the sample size per arm for a given
 * effect, and an always-valid p-value (mixture sequential probability ratio test, Johari,
 * Koomen, Pekelis & Walsh, "Peeking at A/B tests", KDD 2017) that stays valid however often the
 * report is looked at. A statistics library would bring far more than these few functions.
 */

/** Standard normal CDF, via erfc (W. J. Cody's rational approximation, |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(z) / Math.SQRT2);
  const x = Math.abs(z) / Math.SQRT2;
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Standard normal quantile (Acklam's algorithm with one Halley refinement step). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** An estimate with its confidence interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * Wilson score interval of a rate `x / n` (better than estimate ± z·se near 0, where shop rates live).
 * @example wilson(50, 1000) // { estimate: 0.05, low: 0.0381…, high: 0.0653… }
 */
export function wilson(x: number, n: number, level = 0.95): Interval {
  if (n === 0) return { estimate: 0, low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = x / n;
  const den = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / den;
  const half = (z / den) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { estimate: p, low: Math.max(0, mid - half), high: Math.min(1, mid + half) };
}

/** Summary of one arm for a mean: count, mean and sample variance. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** Mean and unbiased sample variance. */
export function moments(values: readonly number[]): Moments {
  const n = values.length;
  if (n === 0) return { n: 0, mean: 0, variance: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? 0 : values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}

/** Mean ± z·sd/√n (large-sample normal interval; shop arms have thousands of visitors). */
export function meanInterval(m: Moments, level = 0.95): Interval {
  const z = normalQuantile(1 - (1 - level) / 2);
  const half = m.n === 0 ? 0 : z * Math.sqrt(m.variance / m.n);
  return { estimate: m.mean, low: m.mean - half, high: m.mean + half };
}

/** A comparison of a variant with the control. */
export interface Comparison {
  /** Absolute difference variant − control, with its interval. */
  difference: Interval;
  /** Relative uplift (variant / control − 1), with a delta-method interval. */
  uplift: Interval;
  /** Two-sided p-value of the fixed-horizon z-test. */
  p: number;
  /** Always-valid p-value (mSPRT); NaN when the control has no variance yet. */
  pAlwaysValid: number;
}

/**
 * Compares two means (a rate is the mean of 0/1 values) with Welch's unpooled standard error.
 * For rates pass `moments` of 0/1 values: variance p(1−p)·n/(n−1).
 * `tau` is the mSPRT mixing scale on the difference (default: 10 % of the control mean).
 */
export function compareMeans(control: Moments, variant: Moments, level = 0.95, tau?: number): Comparison {
  const z = normalQuantile(1 - (1 - level) / 2);
  const diff = variant.mean - control.mean;
  const V = (control.n === 0 ? 0 : control.variance / control.n) + (variant.n === 0 ? 0 : variant.variance / variant.n);
  const se = Math.sqrt(V);
  const p = se === 0 ? (diff === 0 ? 1 : 0) : 2 * (1 - normalCdf(Math.abs(diff) / se));
  // Relative uplift: log-ratio delta method, so the interval stays on the right side of −100 %.
  const ratio = control.mean === 0 ? NaN : variant.mean / control.mean;
  const seLog = Math.sqrt((control.n === 0 || control.mean === 0 ? Infinity : control.variance / (control.n * control.mean ** 2)) + (variant.n === 0 || variant.mean === 0 ? Infinity : variant.variance / (variant.n * variant.mean ** 2)));
  const uplift: Interval = Number.isFinite(ratio) && Number.isFinite(seLog)
    ? { estimate: ratio - 1, low: ratio * Math.exp(-z * seLog) - 1, high: ratio * Math.exp(z * seLog) - 1 }
    : { estimate: Number.isFinite(ratio) ? ratio - 1 : NaN, low: NaN, high: NaN };
  const t = tau ?? 0.1 * Math.abs(control.mean);
  return { difference: { estimate: diff, low: diff - z * se, high: diff + z * se }, uplift, p, pAlwaysValid: msprtP(diff, V, t * t) };
}

/**
 * Always-valid p-value of the normal-mixture SPRT for a difference `diff` with variance `V`
 * (of the estimate) and mixing variance `tau2`: Λ = √(V/(V+τ²)) · exp(τ²·diff² / (2V(V+τ²))),
 * p = min(1, 1/Λ). By Ville's inequality P(sup Λ ≥ 1/α) ≤ α under no effect, so stopping the
 * first time p ≤ α keeps the error rate at α however often one looks.
 */
export function msprtP(diff: number, V: number, tau2: number): number {
  if (!(V > 0) || !(tau2 > 0)) return NaN;
  const logLambda = 0.5 * Math.log(V / (V + tau2)) + (tau2 * diff * diff) / (2 * V * (V + tau2));
  return Math.min(1, Math.exp(-logLambda));
}

/**
 * Visitors per arm to detect a relative change `mde` of a rate `p` with a two-sided test at
 * `alpha` and `power` (normal approximation, equal arms):
 * n = (z₁₋α/₂·√(2p̄q̄) + z₁₋β·√(p₁q₁ + p₂q₂))² / (p₂ − p₁)².
 *
 * @example sampleSizePerArm(0.05, 0.1) // 31,234 visitors per arm (5 % → 5.5 %)
 */
export function sampleSizePerArm(p: number, mde: number, alpha = 0.05, power = 0.8): number {
  const p2 = p * (1 + mde);
  if (!(p > 0 && p < 1 && p2 > 0 && p2 < 1) || p2 === p) return Infinity;
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const pbar = (p + p2) / 2;
  const num = za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p * (1 - p) + p2 * (1 - p2));
  return Math.ceil((num * num) / ((p2 - p) ** 2));
}

/** Moments of x successes in n trials (as 0/1 values). */
export function rateMoments(x: number, n: number): Moments {
  const p = n === 0 ? 0 : x / n;
  return { n, mean: p, variance: n < 2 ? 0 : (p * (1 - p) * n) / (n - 1) };
}
