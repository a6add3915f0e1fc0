// Writes N generated jobseekers as JSON Lines (the import format of `npm run cli -- jobseekers import`),
// deterministic by seed, streamed: memory stays flat whatever N.
//   node scripts/generate-jobseekers.ts --count 1000000 --seed 42 --password-hash '$argon2id$…' --out FILE
// Without --out the lines go to stdout. Without --password / --password-hash each line gets its own
// clear password (then the import hashes each one: about 10 ms a line).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateJobseeker } from '../bench/generator.ts';

const HELP = `Usage: node scripts/generate-jobseekers.ts [--count N] [--seed S] [--start I]
                                         [--password P | --password-hash HASH] [--out FILE]

  --count N             how many jobseekers (default 1000)
  --seed S              the same seed gives the same lines (default 1)
  --start I             index of the first jobseeker, to write a file in parts (default 0)
  --password P          every line gets this clear password (the import hashes each one)
  --password-hash HASH  every line gets this argon2id hash, stored as is by the import
  --out FILE            write there instead of stdout
`;

const { values } = parseArgs({
  options: {
    help: { type: 'boolean' },
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '0' },
    password: { type: 'string' },
    'password-hash': { type: 'string' },
    out: { type: 'string' },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const count = Number(values.count);
const seed = Number(values.seed);
const start = Number(values.start);
if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed) || !Number.isInteger(start)) {
  process.stderr.write('--count, --seed and --start must be whole numbers\n');
  process.exit(2);
}
const password = values['password-hash']
  ? { hash: values['password-hash'] }
  : values.password
    ? { clear: values.password }
    : undefined;

const out = values.out ? createWriteStream(values.out) : process.stdout;
// `… | head` closes the pipe early: that is the reader's choice, not an error.
out.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
for (let i = start; i < start + count; i++) {
  // Back-pressure: wait for the stream to drain instead of buffering a million lines.
  if (!out.write(`${JSON.stringify(generateJobseeker(seed, i, password))}\n`)) await once(out, 'drain');
}
if (values.out) {
  out.end();
  await once(out, 'finish');
}
