const SUPER: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 1e-5 → "10⁻⁵", 3e-4 → "3 × 10⁻⁴": learning rates as the lessons write them. */
export function powerOfTen(v: number): string {
  const [mantissa, exponent] = v.toExponential().split('e');
  const power = `10${[...String(Number(exponent))].map((c) => SUPER[c] ?? c).join('')}`;
  return Number(mantissa) === 1 ? power : `${Number(Number(mantissa).toPrecision(3))} × ${power}`;
}

/** 1536 → "1.5 KB", 3_250_000 → "3.1 MB": sizes in binary units, in the reader's number format. */
export function formatBytes(n: number, locale?: string | null): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(locale ?? undefined, { maximumFractionDigits: n < 10 && i > 0 ? 1 : 0 }).format(n)} ${units[i]}`;
}
