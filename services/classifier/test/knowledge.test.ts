import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { confidentHit, DEFAULT_CONFIDENCE_BAR } from '../src/knowledge/confident-hit.js';
import { chooseBar, evaluateRetrieval, loadRetrievalSet, RETRIEVAL_SETS } from '../src/knowledge/evaluate-retrieval.js';
import { createKnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { createKnowledgeIndex, type KnowledgeHit } from '../src/knowledge/knowledge-index.js';
import { loadKnowledgeDir, SAMPLE_KNOWLEDGE_DIR } from '../src/knowledge/load-knowledge-dir.js';
import { parseKnowledgeFile } from '../src/knowledge/parse-knowledge-file.js';
import { memoryLogger } from './support/index.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'knowledge-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('a knowledge file', () => {
  test('each "## " heading is one entry; the keywords line under it adds terms; the preamble is not an entry', () => {
    const parsed = parseKnowledgeFile(
      'horario.md',
      '# Título\nnotas\n\n## ¿Cuál es el horario?\nkeywords: hora, abren , cierran\nDe 7 a 19.\n\nSábados de 8 a 14.\n## Otra\nRespuesta.\n',
    );
    expect(parsed).toEqual({
      ok: true,
      entries: [
        {
          id: 'horario.md#1',
          heading: '¿Cuál es el horario?',
          keywords: ['hora', 'abren', 'cierran'],
          body: 'De 7 a 19.\n\nSábados de 8 a 14.',
          language: 'es',
          file: 'horario.md',
        },
        { id: 'horario.md#2', heading: 'Otra', keywords: [], body: 'Respuesta.', language: 'es', file: 'horario.md' },
      ],
    });
  });

  test('the language comes from a "language:" line before the first entry, else from the name (*.en.md)', () => {
    const en = parseKnowledgeFile('hours.en.md', '## Hours\n7 to 19');
    const declared = parseKnowledgeFile('hours.md', 'language: en\n## Hours\n7 to 19');
    expect(en.ok && en.entries[0]?.language).toBe('en');
    expect(declared.ok && declared.entries[0]?.language).toBe('en');
  });

  test('a "## " inside a code fence is body, not a heading; a keywords line further down is body', () => {
    const parsed = parseKnowledgeFile('x.md', '## Pasos\nuno\n```\n## no es título\n```\nkeywords: esto es texto\n');
    expect(parsed.ok && parsed.entries.length).toBe(1);
    expect(parsed.ok && parsed.entries[0]?.body).toContain('keywords: esto es texto');
    expect(parsed.ok && parsed.entries[0]?.keywords).toEqual([]);
  });

  test('no entry at all, or an entry without an answer, refuses the file and says where', () => {
    expect(parseKnowledgeFile('a.md', '# only a title\ntext')).toEqual({
      ok: false,
      message: 'no entry: an entry starts with a "## " heading',
    });
    expect(parseKnowledgeFile('b.md', '## Uno\nRespuesta\n## Dos\nkeywords: x\n\n')).toEqual({
      ok: false,
      message: 'line 3: "## Dos" has no answer under it',
    });
  });
});

describe('the knowledge folder', () => {
  test('good files load, a malformed one is skipped with one warning line naming it', async () => {
    const dir = await tempDir({
      'a.md': '## Horario\nDe 7 a 19',
      'b.md': 'sin títulos',
      'README.md': '## Not an entry\nThe format',
      'notes.txt': '## Not markdown\nignored',
    });
    const { logger, lines } = memoryLogger();
    const knowledge = createKnowledgeBase({ dir, logger });
    const summary = await knowledge.reload();
    expect(summary).toMatchObject({ entries: 1, files: 2, problems: [{ file: 'b.md' }] });
    const warnings = lines().filter((l) => l.msg === 'knowledge file skipped');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: 'b.md', level: 40 });
    expect(knowledge.index().search('horario')[0]?.entry.heading).toBe('Horario');
  });

  test('a change to a file is picked up by the watch, debounced into one reload', async () => {
    const dir = await tempDir({ 'a.md': '## Uno\nRespuesta uno' });
    const { logger, lines } = memoryLogger();
    const knowledge = createKnowledgeBase({ dir, logger });
    await knowledge.reload();
    knowledge.watch(50);
    try {
      await writeFile(join(dir, 'b.md'), '## Traslado\nSí, cuesta 40.000');
      await writeFile(join(dir, 'b.md'), '## Traslado\nSí, cuesta $40.000');
      const deadline = Date.now() + 5_000;
      while (knowledge.summary().entries !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(knowledge.summary().entries).toBe(2);
      expect(knowledge.index().search('traslado')[0]?.entry.body).toBe('Sí, cuesta $40.000');
      await new Promise((r) => setTimeout(r, 200));
      expect(lines().filter((l) => l.msg === 'knowledge loaded').length).toBeLessThanOrEqual(3);
    } finally {
      knowledge.close();
    }
  });

  test('a folder that cannot be read keeps the entries already loaded', async () => {
    const dir = await tempDir({ 'a.md': '## Uno\nRespuesta uno' });
    const { logger } = memoryLogger();
    const knowledge = createKnowledgeBase({ dir, logger });
    await knowledge.reload();
    await rm(dir, { recursive: true });
    const summary = await knowledge.reload();
    expect(summary.problems[0]?.file).toBe('.');
    expect(knowledge.index().size).toBe(1);
  });
});

describe('retrieval over the sample knowledge base', () => {
  test('the sample loads whole: every topic the issue lists, in Spanish and English, no file skipped', async () => {
    const loaded = await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR);
    expect(loaded.problems).toEqual([]);
    const es = loaded.entries.filter((e) => e.language === 'es').map((e) => e.heading);
    const en = loaded.entries.filter((e) => e.language === 'en').map((e) => e.heading);
    expect(es.length).toBe(en.length);
    for (const topic of [
      /horario/,
      /cobertura/,
      /planes y precios/,
      /pagar\?/,
      /pago tarde/,
      /instalación/,
      /router/,
      /mudar/,
      /datos personales/,
    ])
      expect(es.some((h) => topic.test(h))).toBe(true);
  });

  test('accents, misspellings and word forms still find the entry; the heading outweighs a passing mention', async () => {
    const index = createKnowledgeIndex((await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR)).entries);
    const top = (q: string, language: 'es' | 'en' = 'es') => index.search(q, { language })[0]?.entry.heading;
    expect(top('INSTALACIÓN')).toBe('¿Cómo es la instalación?');
    expect(top('intalacion')).toBe('¿Cómo es la instalación?');
    expect(top('cuanto cuesta instalar')).toBe('¿Cómo es la instalación?');
    expect(top('how do I reboot the modem', 'en')).toBe('How do I restart the router?');
    expect(top('hola')).toBeUndefined();
  });

  test('search stays in the customer language when the base has entries in it', async () => {
    const index = createKnowledgeIndex((await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR)).entries);
    expect(index.search('router', { language: 'en' }).every((h) => h.entry.language === 'en')).toBe(true);
    expect(index.search('router', { language: 'es' }).every((h) => h.entry.language === 'es')).toBe(true);
  });

  test('measured: top-1 and top-3 on the three sets, no confident wrong entry on the development set, no more on the held-out ones than measured', async () => {
    const index = createKnowledgeIndex((await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR)).entries);
    const main = evaluateRetrieval(index, loadRetrievalSet(RETRIEVAL_SETS.main), DEFAULT_CONFIDENCE_BAR);
    const blind = evaluateRetrieval(index, loadRetrievalSet(RETRIEVAL_SETS.blind), DEFAULT_CONFIDENCE_BAR);
    const unseen = evaluateRetrieval(index, loadRetrievalSet(RETRIEVAL_SETS.unseen), DEFAULT_CONFIDENCE_BAR);
    // Measured 95.7 / 100 % (main), 100 / 100 % (blind), 90.0 / 97.5 % (unseen): the floors leave room for new entries.
    expect(main.top1).toBeGreaterThanOrEqual(0.9);
    expect(main.top3).toBeGreaterThanOrEqual(0.95);
    expect(blind.top1).toBeGreaterThanOrEqual(0.85);
    expect(unseen.top1).toBeGreaterThanOrEqual(0.85);
    expect(main.confident.answeredWrong).toBe(0);
    // The held-out sets are never used to choose the bar; these hold what was measured so a
    // regression fails. Blind: one complaint ("el tecnico me dejo la casa sucia") matches the
    // installation entry's keyword "técnico" and its body's "casa"; refusing it would cost
    // the development set three right answers (docs/services/classifier.md, "Evaluation").
    expect(blind.confident.answeredWrong).toBeLessThanOrEqual(1);
    expect(unseen.confident.answeredWrong).toBe(0);
    // Measured 84.8 % (main), 76.9 % (blind), 55.0 % (unseen) answered right without a model.
    expect(main.confident.answeredRight).toBeGreaterThanOrEqual(0.8);
    expect(unseen.confident.answeredRight).toBeGreaterThanOrEqual(0.5);
  });

  test('an entry whose heading and keywords match too little of the question is not confident', async () => {
    const index = createKnowledgeIndex((await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR)).entries);
    // "pasar" meets the heading's "pasa" and "mes" the body's "cada mes": half the terms, a
    // big lead, but only one term in what the late-payment entry is about.
    const [best] = index.search('me pueden pasar el numero de cuenta para consignar el mes', { language: 'es' });
    expect(best?.entry.heading).toBe('¿Qué pasa si pago tarde?');
    expect(best?.coverage).toBe(0.5);
    expect(best?.topicCoverage).toBeLessThan(DEFAULT_CONFIDENCE_BAR.minTopicCoverage);
    expect(confidentHit([best as KnowledgeHit])).toBeUndefined();
    // A question the heading answers keeps its full topic coverage.
    expect(index.search('horario de atención', { language: 'es' })[0]?.topicCoverage).toBe(1);
  });

  test('the default bar is the one the evaluation chooses on the development set', async () => {
    const index = createKnowledgeIndex((await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR)).entries);
    expect(chooseBar(index, loadRetrievalSet(RETRIEVAL_SETS.main))?.bar).toEqual(DEFAULT_CONFIDENCE_BAR);
  });

  test('an unrelated or ambiguous question is never confident', async () => {
    const index = createKnowledgeIndex((await loadKnowledgeDir(SAMPLE_KNOWLEDGE_DIR)).entries);
    for (const q of ['hola', 'cual es la capital de francia', 'cuanto debo', 'a que numero puedo llamar'])
      expect(confidentHit(index.search(q, { language: 'es' })), q).toBeUndefined();
    expect(confidentHit(index.search('¿hasta qué hora atienden?', { language: 'es' }))?.entry.heading).toBe(
      '¿Cuál es el horario de atención?',
    );
  });
});
