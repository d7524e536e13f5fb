import { readFileSync } from 'fs';

/** A bad variable: the start stops with one line naming it. */
export class EnvironmentError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid environment variable ${variable}: ${reason}`);
    this.name = 'EnvironmentError';
  }
}

export type Env = Record<string, string | undefined>;

export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

export class EnvReader {
  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when unset or empty. */
  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      throw new EnvironmentError(name, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  /** A finite decimal number >= 0 (a load), or undefined when unset. */
  number(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(raw) || !Number.isFinite(Number(raw))) {
      throw new EnvironmentError(name, 'must be a decimal number >= 0');
    }
    return Number(raw);
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new EnvironmentError(name, 'must be true or false');
  }

  /** `host:port,host:port`. */
  addresses(name: string): { host: string; port: number }[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return raw.split(',').map((entry) => {
      const match = /^([^\s:,]+):(\d{1,5})$/.exec(entry.trim());
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65_535) {
        throw new EnvironmentError(
          name,
          `must be host:port[,host:port...] (bad entry "${entry.trim()}")`,
        );
      }
      return { host: match[1], port };
    });
  }

  file(name: string): Buffer | undefined {
    const path = this.string(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch {
      throw new EnvironmentError(name, `cannot read the file ${path}`);
    }
  }
}
