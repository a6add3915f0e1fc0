// docker-compose.yml stays in step with the code: the provider is configured only with settings that
// src/config.ts knows, reaches the postgres service, and depends on services that exist.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';

interface Service {
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, unknown>;
  ports?: (string | number | { published?: string | number })[];
}
interface Compose {
  services: Record<string, Service>;
}

const compose = () => parse(readFileSync(path.resolve('docker-compose.yml'), 'utf8')) as Compose;

// The keys of the zod schema in src/config.ts, the only reader of process.env.
function knownSettings(): Set<string> {
  const source = readFileSync(path.resolve('src/config.ts'), 'utf8');
  const body = /const envSchema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(source)?.[1];
  if (!body) throw new Error('envSchema not found in src/config.ts');
  return new Set([...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string));
}

// `environment` may be a map or a list of KEY=value.
function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? [item, ''] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries);
}

function dependencies(service: Service): string[] {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
}

describe('docker-compose.yml', () => {
  it('reads the settings of src/config.ts', () => {
    const settings = knownSettings();
    expect(settings).toContain('DATABASE_URL');
    expect(settings).toContain('PAIRWISE_SALT');
    expect(settings.size).toBeGreaterThan(15);
  });

  it('defines the postgres and provider services', () => {
    expect(Object.keys(compose().services)).toEqual(expect.arrayContaining(['postgres', 'provider']));
  });

  it('configures the provider only with settings that src/config.ts knows', () => {
    const names = Object.keys(environment(compose().services.provider as Service));
    expect(names.length).toBeGreaterThan(0);
    const known = knownSettings();
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });

  it('points DATABASE_URL at the postgres service with its credentials', () => {
    const { services } = compose();
    const url = new URL(environment(services.provider as Service).DATABASE_URL as string);
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('postgres');
    expect(url.port).toBe('5432');
    const pg = environment(services.postgres as Service);
    // The postgres image's own user, password and database, each set in the file and each in the URL.
    expect(pg.POSTGRES_USER).toBeTruthy();
    expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
    expect(pg.POSTGRES_PASSWORD).toBeTruthy();
    expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(pg.POSTGRES_DB).toBeTruthy();
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
  });

  it('has every depends_on name an existing service', () => {
    const { services } = compose();
    const missing = Object.entries(services).flatMap(([name, service]) =>
      dependencies(service)
        .filter((dep) => !(dep in services))
        .map((dep) => `${name} → ${dep}`),
    );
    expect(missing).toEqual([]);
    expect(dependencies(services.provider as Service)).toContain('postgres');
  });

  it('gives the provider an environment that loadConfig accepts, and publishes its port', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'pec-compose-test-'));
    try {
      const provider = compose().services.provider as Service;
      const config = loadConfig(environment(provider), root);
      const published = (provider.ports ?? []).map((p) =>
        typeof p === 'object' ? String(p.published) : String(p).split(':').at(-2),
      );
      expect(published).toContain(String(config.port));
      if (config.demoApp.enabled) expect(published).toContain(String(config.demoApp.port));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  // The heap settings are part of how the provider runs (docs/PERFORMANCE.md, "Memory").
  it('runs the provider with the node options of `npm start`', () => {
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.resolve('Dockerfile'), 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    expect((JSON.parse(cmd as string) as string[]).join(' ')).toBe(pkg.scripts.start);
    expect(pkg.scripts.start).toMatch(/--max-old-space-size=\d+/);
  });
});
