import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const isEndToEnd = (file: TestSpecification): boolean =>
  file.moduleId.split(path.sep).join('/').includes('/test/e2e/');

/**
 * vitest's order (slowest first, from the timings of the last run), except when no timings are cached (a
 * clean clone, CI): vitest then starts the larger files first, but the end-to-end files are small and
 * slow, and one of them starting last stretches the whole run. Then they start first.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const timed = files.every((file) =>
      this.ctx.cache.getFileTestResults(
        `${file.project.name}:${path.relative(this.ctx.config.root, file.moduleId)}`,
      ),
    );
    if (timed) return sorted;
    return [...sorted.filter(isEndToEnd), ...sorted.filter((file) => !isEndToEnd(file))];
  }
}
