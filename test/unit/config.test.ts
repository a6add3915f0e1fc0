// loadConfig: an unsafe production configuration is refused with a message naming the setting; a
// complete one loads with the demo off; development generates its secrets once and keeps them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const SECRET_A = 'aaaaaaaaaaaaaaaa0123456789abcdef0123';
const SECRET_B = 'bbbbbbbbbbbbbbbb0123456789abcdef0123';
const SECRET_C = 'cccccccccccccccc0123456789abcdef0123';

const PRODUCTION = {
  NODE_ENV: 'production',
  ISSUER: 'https://connect.example.fr',
  DATABASE_URL: 'postgres://pec@db.example.fr:5432/pec',
  KEYS_ENCRYPTION_KEY: SECRET_A,
  COOKIE_SECRETS: SECRET_B,
  PAIRWISE_SALT: SECRET_C,
};
const SETTINGS = ['DATABASE_URL', 'ISSUER', 'KEYS_ENCRYPTION_KEY', 'COOKIE_SECRETS', 'PAIRWISE_SALT'];

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pec-config-test-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function refusal(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env, root);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig in production', () => {
  it.each([
    ['DATABASE_URL', { DATABASE_URL: undefined }],
    ['ISSUER', { ISSUER: 'http://connect.example.fr' }],
    ['ISSUER', { ISSUER: undefined }],
    ['KEYS_ENCRYPTION_KEY', { KEYS_ENCRYPTION_KEY: undefined }],
    ['COOKIE_SECRETS', { COOKIE_SECRETS: undefined }],
    ['COOKIE_SECRETS', { COOKIE_SECRETS: `${SECRET_B},too-short` }],
    ['PAIRWISE_SALT', { PAIRWISE_SALT: undefined }],
  ])('refuses to start without a valid %s, naming it (%o)', (setting, change) => {
    const { message } = refusal({ ...PRODUCTION, ...change });
    expect(message).toContain(setting);
    for (const other of SETTINGS.filter((s) => s !== setting)) expect(message).not.toContain(other);
  });

  it('names every missing setting at once', () => {
    const { message } = refusal({ NODE_ENV: 'production' });
    for (const setting of SETTINGS) expect(message).toContain(setting);
  });

  it('refuses SEED_DEMO_DATA=true and DEMO_APP=true', () => {
    expect(refusal({ ...PRODUCTION, SEED_DEMO_DATA: 'true' }).message).toContain('SEED_DEMO_DATA');
    expect(refusal({ ...PRODUCTION, DEMO_APP: 'true' }).message).toContain('DEMO_APP');
  });

  it('refuses a key activation delay shorter than the key poll interval', () => {
    const { message } = refusal({
      ...PRODUCTION,
      KEY_ACTIVATION_DELAY_SECONDS: '10',
      KEY_POLL_INTERVAL_SECONDS: '30',
    });
    expect(message).toContain('KEY_ACTIVATION_DELAY_SECONDS');
    expect(loadConfig(PRODUCTION, root).keys).toEqual({
      activationDelaySeconds: 3600,
      pollIntervalSeconds: 30,
    });
  });

  it('loads a complete configuration, with the demo data and the demo app off', () => {
    const config = loadConfig(PRODUCTION, root);
    expect(config.production).toBe(true);
    expect(config.seedDemoData).toBe(false);
    expect(config.demoApp.enabled).toBe(false);
    expect(config.issuer).toBe('https://connect.example.fr');
    expect(config.apiAudience).toBe('https://connect.example.fr/api');
    expect(config.secrets).toEqual({
      keysEncryptionKey: SECRET_A,
      cookieSecrets: [SECRET_B],
      pairwiseSalt: SECRET_C,
    });
    // No development secrets are generated in production.
    expect(existsSync(path.join(root, '.data', 'dev-secrets.json'))).toBe(false);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(PRODUCTION, root);
    for (const part of [config, config.db, config.secrets, config.secrets.cookieSecrets, config.demoApp]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });
});

describe('loadConfig in development', () => {
  it('generates missing secrets into DATA_DIR/dev-secrets.json and reuses them', () => {
    const env = { NODE_ENV: 'development', DATA_DIR: 'var/data' };
    const file = path.join(root, 'var/data/dev-secrets.json');
    expect(existsSync(file)).toBe(false);

    const first = loadConfig(env, root);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0); // readable by its owner only
    expect(first.dataDir).toBe(path.join(root, 'var/data'));
    expect(first.secrets.keysEncryptionKey.length).toBeGreaterThanOrEqual(32);
    expect(first.secrets.pairwiseSalt.length).toBeGreaterThanOrEqual(32);
    expect(first.secrets.cookieSecrets[0]?.length).toBeGreaterThanOrEqual(32);
    expect(new Set([first.secrets.keysEncryptionKey, first.secrets.pairwiseSalt]).size).toBe(2);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.keysEncryptionKey).toBe(first.secrets.keysEncryptionKey);

    const second = loadConfig(env, root);
    expect(second.secrets).toEqual(first.secrets);
    expect(first.seedDemoData).toBe(true);
    expect(first.demoApp.enabled).toBe(true);
  });

  it('prefers secrets given in the environment', () => {
    const config = loadConfig({ NODE_ENV: 'development', KEYS_ENCRYPTION_KEY: SECRET_A }, root);
    expect(config.secrets.keysEncryptionKey).toBe(SECRET_A);
  });
});

describe('node src/main.ts', () => {
  it('exits quickly with a message naming DATABASE_URL when production is not configured', async () => {
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(path.resolve('node_modules/.bin/node'), ['src/main.ts'], {
        env: { PATH: process.env.PATH, NODE_ENV: 'production' },
        timeout: 15_000,
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull(); // exited by itself, not killed by the timeout
    expect(result.stderr).toContain('DATABASE_URL');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
