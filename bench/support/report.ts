/** One part of the report: a table with the sentences that say how it was measured. */
export interface Section {
  title: string;
  notes: string[];
  header: string[];
  rows: string[][];
}

/** A performance target and whether this run met it. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function sectionToMarkdown(section: Section): string {
  return [
    `## ${section.title}`,
    '',
    ...section.notes,
    '',
    `| ${section.header.join(' | ')} |`,
    `| ${section.header.map(() => '---').join(' | ')} |`,
    ...section.rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}

export function sectionToText(section: Section): string {
  const widths = section.header.map((cell, i) =>
    Math.max(cell.length, ...section.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [`\n${section.title}`, line(section.header), ...section.rows.map(line)].join('\n');
}

export function targetsSection(checks: TargetCheck[]): Section {
  return {
    title: 'Targets',
    notes: ['The performance targets, against this run.'],
    header: ['target', 'measured', 'met'],
    rows: checks.map((check) => [check.target, check.measured, check.met ? 'yes' : 'no']),
  };
}

/** A table row for a library/baseline pair: name, both medians, the ratio. */
export function pairRow(
  name: string,
  result: { library: number; baseline: number; ratio: number },
): string[] {
  return [
    name,
    formatNumber(result.library),
    formatNumber(result.baseline),
    result.ratio.toFixed(3),
  ];
}
