import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs where the tests run, so the compose file is checked by reading it:
// the services, their ports, health checks, start order and volumes are what operators rely on.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, unknown>;
};

const SERVICES = { gateway: 3001, classifier: 8001, tickets: 8003, network: 8004 } as const;

/** The Compose Specification's JSON schema, vendored (see vendor/compose-spec/README.md). */
function composeValidator() {
  const { $schema, ...schema } = JSON.parse(
    readFileSync(`${root}packages/system/vendor/compose-spec/compose-spec.json`, 'utf8'),
  );
  // It names draft-07 as https://json-schema.org/draft-07/schema, which ajv knows by its
  // http:// id only; draft-07 is ajv's own default, so the reference is dropped.
  expect($schema).toMatch(/draft-07/);
  // strict off: the published schema uses keywords and patterns ajv's strict mode rejects
  // (it targets several validators), not a reason to refuse a compose file.
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const validate = composeValidator();
    const raw = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true });
    const valid = validate(raw);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check fails on a wrong key or type (it is not vacuous)', () => {
    const validate = composeValidator();
    expect(validate({ services: { redis: { image: 'redis:7', restart: 'always', portz: ['6379'] } } })).toBe(false);
    expect(validate({ services: { redis: { image: 'redis:7', ports: 6379 } } })).toBe(false);
    expect(validate({ services: { redis: { image: 'redis:7', ports: ['6379:6379'] } } })).toBe(true);
  });

  test('declares redis, the four services, prometheus and grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['classifier', 'gateway', 'grafana', 'network', 'prometheus', 'redis', 'tickets'].sort(),
    );
  });

  test('redis keeps an append-only file on a volume and has a health check', () => {
    const redis = compose.services.redis as { command: string[]; volumes: string[]; healthcheck: { test: string[] } };
    expect(redis.command.join(' ')).toContain('--appendonly yes');
    expect(redis.volumes).toContain('redis-data:/data');
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  test.each(Object.entries(SERVICES))(
    '%s is built from the Dockerfile, waits for a healthy redis and checks its own /health',
    (name, port) => {
      const service = compose.services[name] as {
        build: { dockerfile: string };
        environment: Record<string, string>;
        ports: string[];
        depends_on: Record<string, { condition: string }>;
        healthcheck: { test: string[]; interval: string };
      };
      expect(service.build.dockerfile).toBe('Dockerfile');
      expect(service.environment.SERVICE).toBe(name);
      expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(service.ports).toEqual([`${port}:${port}`]);
      expect(service.depends_on.redis).toEqual({ condition: 'service_healthy' });
      expect(service.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${port}/health`);
    },
  );

  test('prometheus mounts the scrape config with the alert rules and scrapes every service', () => {
    const prometheus = compose.services.prometheus as { volumes: string[]; command: string[] };
    expect(prometheus.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const scrape = parse(readFileSync(`${root}deploy/prometheus/prometheus.yml`, 'utf8')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(
      Object.entries(SERVICES)
        .map(([n, p]) => `${n}:${p}`)
        .sort(),
    );
    expect(scrape.rule_files).toEqual(['alerts.yml']);
  });

  test('grafana sits behind a profile and is provisioned from deploy/grafana', () => {
    const grafana = compose.services.grafana as { profiles: string[]; volumes: string[] };
    expect(grafana.profiles).toEqual(['grafana']);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });

  test('every named volume a service mounts is declared', () => {
    const used = Object.values(compose.services)
      .flatMap((s) => (s.volumes as string[] | undefined) ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect(used.length).toBeGreaterThan(0);
    for (const volume of used) expect(compose.volumes).toHaveProperty(volume);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
  test('is multi-stage on Node 22 LTS, installs production dependencies only and runs as non-root', () => {
    const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:22-/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  test('copies the manifest of every workspace before installing, so npm ci sees the whole lockfile', () => {
    const workspaces = ['packages', 'services'].flatMap((dir) =>
      readdirSync(`${root}${dir}`)
        .filter((name) => existsSync(`${root}${dir}/${name}/package.json`))
        .map((name) => `${dir}/${name}`),
    );
    expect(workspaces).toEqual(expect.arrayContaining(['packages/runtime', 'services/gateway']));
    for (const ws of workspaces) {
      expect(dockerfile).toContain(`COPY ${ws}/package.json ${ws}/`);
    }
  });

  test("the runtime stage ships each service's manifest and build, the classifier's data, and no sources or tests", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const name of Object.keys(SERVICES)) {
      expect(runtime).toContain(`/app/services/${name}/package.json services/${name}/`);
      expect(runtime).toContain(`/app/services/${name}/dist services/${name}/dist`);
    }
    expect(runtime).toContain('/app/services/classifier/data services/classifier/data');
    expect(runtime).not.toMatch(/\/app\/services services\b|\/(src|test|bench) /);
  });
});
