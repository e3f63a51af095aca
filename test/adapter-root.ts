// The repository root, for the adapter tests (they run from it: node --test out/test/).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = findRoot();

function findRoot(): string {
  for (const start of [process.cwd(), __dirname]) {
    let d = start;
    for (;;) {
      const pj = path.join(d, 'package.json');
      if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'busdma-trace') return d;
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return process.cwd();
}
