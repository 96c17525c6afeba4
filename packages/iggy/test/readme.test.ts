import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** The README's TypeScript blocks, in order, as one module importing the package source. */
async function readmeProgram(): Promise<string> {
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const source = pathToFileURL(join(here, '..', 'src', 'index.ts')).href;
  return blocks.join('\n').replaceAll("from '@rustok/iggy'", `from '${source}'`);
}

describe('README', () => {
  it('its snippets run as written, in order, on a fresh embedded data dir', async () => {
    const program = await readmeProgram();
    expect(program).toContain('transport.dlq.redrive');
    await using dir = await makeTempDir('rustok-readme-');
    const file = join(here, `.readme-${randomUUID()}.ts`);
    await writeFile(file, `${program}\nexport const done = true;\n`);
    const previous = process.cwd();
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    process.chdir(dir.path);
    try {
      const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { done: boolean };
      expect(module.done).toBe(true);
      expect(log).toHaveBeenCalled();
    } finally {
      process.chdir(previous);
      log.mockRestore();
      await rm(file, { force: true });
    }
  });
});
