import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { startService, type ServiceTestbed } from './support/service-testbed';

const TOKEN = 'console-token-0123456789';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the test leaves its screenshots (docs/console.png is one of them, taken by hand). */
const SHOTS = join(tmpdir(), 'stateful-console');

/**
 * The console (SPEC §12) as an operator uses it: Debian's Chromium, headless, through Playwright,
 * against the real service with API_TOKEN set. Load, enter the token, find a service, drain a pod,
 * see it drained, release its users, see the count drop, look up a user.
 */
describe('the console in headless Chromium', () => {
  let svc: ServiceTestbed;
  let browser: Browser;
  let page: Page;
  let raw: Redis;
  const requests: string[] = [];

  beforeAll(async () => {
    svc = await startService({ API_TOKEN: TOKEN, CONSOLE: 'true' });
    raw = new Redis(svc.server.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('request', (request) => requests.push(request.url()));
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    raw?.disconnect();
    await svc?.close();
  });

  async function seed() {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const base = `${svc.baseUrl}/v1/namespaces/prod/services/game`;
    for (const [pod, load] of [
      [0, 12],
      [1, 4],
      [2, 30],
    ]) {
      await fetch(`${base}/pods/${pod}/status`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ load, state: 'Ready', address: `10.0.0.${pod + 1}:7000` }),
      });
    }
    for (let i = 0; i < 24; i++) {
      await fetch(`${svc.baseUrl}/v1/namespaces/prod/users/player-${i}/links/game`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ podId: i % 3, persistSeconds: -1 }),
      });
    }
    // A pod whose reports stopped a minute ago: its age shows in red.
    await raw.hset('sf:{prod:state:game}:load', '3', `2:${Date.now() - 65_000}`);
  }

  it('drains a pod, releases its users and looks up a user, asking before each action', async () => {
    await seed();
    await page.goto(`${svc.baseUrl}/console`);
    // Without the token the API answers 401, and the page says what to do.
    await page.locator('#message.error').waitFor();
    expect(await page.locator('#message').textContent()).toContain('API token');

    await page.fill('#token', TOKEN);
    await page.click('#use-token');
    await page.click('button[data-service="prod/game"]');
    await page.locator('tr[data-pod="3"]').waitFor();
    expect(await page.locator('tr[data-pod="3"] td.age').getAttribute('class')).toContain('stale');
    expect(await page.locator('tr[data-pod="0"] td.age').getAttribute('class')).not.toContain(
      'stale',
    );
    await page.click('#count-users');
    await textIs(page, 'tr[data-pod="1"] td.users', '8');
    await page.screenshot({ path: join(SHOTS, 'console-before.png') });

    // Drain pod 1: a confirmation first; cancelling does nothing.
    await page.click('tr[data-pod="1"] button[data-action="Drain"]');
    expect(await page.locator('#confirm-text').textContent()).toContain('Drain pod 1?');
    await page.click('#confirm-no');
    expect(await raw.hget('sf:{prod:state:game}', '1')).toBe('Ready');
    await page.click('tr[data-pod="1"] button[data-action="Drain"]');
    await page.click('#confirm-yes');
    await textIs(page, 'tr[data-pod="1"] .state', 'Draining');
    expect(await page.locator('#message').textContent()).toBe('Pod 1 is Draining.');
    expect(await raw.hget('sf:{prod:state:game}', '1')).toBe('Draining');

    // Release its users: the count drops to 0, and the links are gone.
    await page.click('tr[data-pod="1"] button[data-action="Release users"]');
    await page.click('#confirm-yes');
    await textIs(page, 'tr[data-pod="1"] td.users', '0');
    expect(await page.locator('#message').textContent()).toBe('Released 8 users of pod 1.');
    expect(await raw.get('sf:{prod:lk:player-1}game')).toBeNull();
    expect(await page.locator('tr[data-pod="0"] td.users').textContent()).toBe('8');

    // Look up a user.
    await page.fill('#user-uid', 'player-0');
    await page.click('#user-form button[type="submit"]');
    const row = page.locator('#user-links tr[data-service="game"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['game', '0', 'persistent']);
    expect(cells[4]).toMatch(/^\d{16}$/);
    await page.screenshot({ path: join(SHOTS, 'console.png') });

    // Everything came from the service itself: no CDN, no other origin.
    expect(requests.every((url) => url.startsWith(svc.baseUrl))).toBe(true);
  }, 60_000);

  it('serves small, self-contained files with a strict content security policy', async () => {
    for (const [file, limit] of [
      ['/console', 4_000],
      ['/console/console.js', 16_000],
      ['/console/console.css', 4_000],
    ] as const) {
      const response = await fetch(`${svc.baseUrl}${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const text = await response.text();
      expect(text.length, file).toBeLessThan(limit);
      expect(text, file).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    }
  });
});

/** Waits until the element's text is `text` (the page refreshes on its own). */
async function textIs(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([css, expected]) =>
      (
        globalThis as unknown as {
          document: { querySelector(s: string): { textContent: string } | null };
        }
      ).document.querySelector(css)?.textContent === expected,
    [selector, text] as const,
  );
}

describe('the console without API_TOKEN', () => {
  it('shows the services and pods at once, asking for no token', async () => {
    const svc = await startService({ CONSOLE: 'true' });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      await fetch(`${svc.baseUrl}/v1/namespaces/stage/services/chat/pods/5/status`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ load: 2, state: 'Draining' }),
      });
      const page = await browser.newPage();
      await page.goto(`${svc.baseUrl}/console`);
      await page.click('button[data-service="stage/chat"]');
      await textIs(page, 'tr[data-pod="5"] .state', 'Draining');
      expect(await page.locator('#message').getAttribute('class')).not.toBe('error');
    } finally {
      await browser.close();
      await svc.close();
    }
  }, 60_000);
});

describe('the console is off unless CONSOLE=true', () => {
  it('answers 404 by default', async () => {
    const svc = await startService();
    try {
      expect((await fetch(`${svc.baseUrl}/console`)).status).toBe(404);
    } finally {
      await svc.close();
    }
  });
});
