import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const deploy = join(root, 'deploy/prometheus');

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: deploy, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is needed (Debian package prometheus): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'test') return [];
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('Prometheus configuration', () => {
  test('promtool accepts the scrape configuration and its rule files', () => {
    const result = promtool('check', 'config', 'prometheus.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('promtool accepts the alert rules', () => {
    const result = promtool('check', 'rules', 'alerts.yml');
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  test('the alert unit tests pass (promtool test rules)', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('every alert has a runbook section in docs/operations.md and a unit test', () => {
    const rules = parse(readFileSync(join(deploy, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; annotations: { runbook: string } }[] }[];
    };
    const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const tests = readFileSync(join(deploy, 'alerts.test.yml'), 'utf8');
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    for (const rule of alerts) {
      expect(rule.annotations.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(operations).toContain(`## ${rule.alert}`);
      expect(tests).toContain(`alertname: ${rule.alert}`);
    }
  });

  test.each([
    ['alerts', 'deploy/prometheus/alerts.yml'],
    ['Grafana dashboard', 'deploy/grafana/dashboards/helpline.json'],
  ])('every metric the %s read is one the code exports', (_what, file) => {
    const used = new Set(
      (readFileSync(join(root, file), 'utf8').match(/helpline_[a-z_]+/g) ?? [])
        // Histograms are read through their series; prom-client's default metrics carry the prefix too.
        .map((name) => name.replace(/_(bucket|count|sum)$/, ''))
        .filter((name) => !/^helpline_(process|nodejs)_/.test(name)),
    );
    const code = [...sourceFiles(join(root, 'packages/runtime/src')), ...sourceFiles(join(root, 'services'))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(used.size).toBeGreaterThan(5);
    for (const metric of used) {
      // Metric names are written as `${METRIC_PREFIX}name` in the code.
      expect(code, `${metric} is read by ${file} but exported by no code`).toContain(
        `\${METRIC_PREFIX}${metric.slice('helpline_'.length)}`,
      );
    }
  });

  test('the Grafana dashboard is provisioned from the Prometheus data source it names', () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/dashboards/helpline.json'), 'utf8')) as {
      uid: string;
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    const datasources = parse(
      readFileSync(join(root, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasources.datasources[0]?.url).toBe('http://prometheus:9090');
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of [
      'messages in',
      'messages out',
      'end-to-end latency',
      'queue depth',
      'classifications by source',
      'fallbacks',
      'tickets',
      'diagnoses',
      'breaker',
    ]) {
      expect(titles).toContain(topic);
    }
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe(datasources.datasources[0]?.uid);
      expect(panel.targets.length).toBeGreaterThan(0);
    }
  });
});
