/** How the CLI writes its answers: aligned tables for people, JSON for scripts (`--json`). */
export interface CliOutput {
  json: boolean;
  write(text: string): void;
  /** A progress line on a terminal (rewritten in place); nothing otherwise. */
  progress(text: string): void;
}

export function consoleOutput(json: boolean): CliOutput {
  const tty = process.stderr.isTTY === true && !json;
  return {
    json,
    write: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    progress: (text) => {
      if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    },
  };
}

/** Rows as an aligned table with a header; `-` for empty cells. */
export function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => (cell == null || cell === '' ? '-' : String(cell)))),
  ];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Milliseconds as seconds with one decimal (`4.2s`), or `-`. */
export function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`;
}
