import { UpstreamTemplate } from './upstream-template';

describe('UpstreamTemplate', () => {
  it('builds a StatefulSet DNS name from the placeholders', () => {
    const template = UpstreamTemplate.parse('{svc}-{podId}.{svc}.{ns}.svc.cluster.local:8080');
    expect(template).toBeInstanceOf(UpstreamTemplate);
    expect((template as UpstreamTemplate).address('prod', 'game', 3)).toBe(
      'game-3.game.prod.svc.cluster.local:8080',
    );
  });

  it('refuses unknown placeholders, a template without {podId}, and one that is no host:port', () => {
    expect(UpstreamTemplate.parse('{service}-{podId}:80')).toBe(
      'has the unknown placeholder {service} (use {ns}, {svc}, {podId})',
    );
    expect(UpstreamTemplate.parse('game.prod:80')).toMatch(/must contain \{podId\}/);
    expect(UpstreamTemplate.parse('{svc}-{podId}')).toMatch(/must give host:port/);
    expect(UpstreamTemplate.parse('{svc}-{podId}:99999')).toMatch(/must give host:port/);
  });

  it('gives no address where the names do not make a host name', () => {
    const template = UpstreamTemplate.parse('{svc}-{podId}.{ns}:8080') as UpstreamTemplate;
    expect(template.address('my_ns', 'game', 1)).toBeUndefined();
    expect(template.address('prod', 'game', 1)).toBe('game-1.prod:8080');
  });
});
