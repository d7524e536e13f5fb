import { isAddress } from '../../core/validators';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = new Set(['ns', 'svc', 'podId']);

/**
 * ROUTE_UPSTREAM_TEMPLATE (docs/gateways.md): the address of a pod that reported none, built from its
 * namespace, service and pod id, for example the StatefulSet DNS name
 * `{svc}-{podId}.{svc}.{ns}.svc.cluster.local:8080`.
 */
export class UpstreamTemplate {
  private constructor(private readonly parts: readonly string[]) {}

  /** Checks the template; a reason for the start-up line when it cannot give an address. */
  static parse(template: string): UpstreamTemplate | string {
    const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1]);
    const unknown = names.find((name) => !KNOWN.has(name));
    if (unknown !== undefined) {
      return `has the unknown placeholder {${unknown}} (use {ns}, {svc}, {podId})`;
    }
    if (!names.includes('podId')) return 'must contain {podId}: every pod needs its own address';
    // Split keeps the captured names at the odd indexes.
    const parsed = new UpstreamTemplate(template.split(PLACEHOLDER));
    if (!isAddress(parsed.render('ns', 'svc', 0))) {
      return 'must give host:port (for example {svc}-{podId}.{svc}.{ns}.svc.cluster.local:8080)';
    }
    return parsed;
  }

  /** The address, or undefined when these names do not make one (a DNS label cannot hold `_`). */
  address(namespace: string, serviceName: string, podId: number): string | undefined {
    const address = this.render(namespace, serviceName, podId);
    return isAddress(address) ? address : undefined;
  }

  private render(namespace: string, serviceName: string, podId: number): string {
    const values: Record<string, string> = {
      ns: namespace,
      svc: serviceName,
      podId: String(podId),
    };
    return this.parts.map((part, index) => (index % 2 === 1 ? values[part] : part)).join('');
  }
}
