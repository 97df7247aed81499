import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SwitchboardError } from '../errors.js';

/**
 * Writes generated files under a directory (created as needed); existing files are replaced.
 *
 * @param dir - the output directory
 * @param files - relative path (with `/`) → content
 * @throws SwitchboardError `GENERATE_FAILED` when a path would leave the directory or a write fails
 */
export async function writeGeneratedFiles(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  const root = path.resolve(dir);
  for (const [relative, content] of files) {
    const target = path.resolve(root, relative);
    if (!target.startsWith(root + path.sep)) {
      throw new SwitchboardError('GENERATE_FAILED', `refusing to write outside ${root}: ${relative}`);
    }
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    } catch (cause) {
      throw new SwitchboardError('GENERATE_FAILED', `cannot write ${target}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
}

/**
 * Reads a file of a generated directory, or undefined when it does not exist.
 *
 * @param dir - the directory
 * @param relative - the file's relative path
 */
export async function readGeneratedFile(dir: string, relative: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(dir, relative), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
