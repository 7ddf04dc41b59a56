/** Entry of `npm run eval:detect` (built to out/main/eval-detect.js); see ./cli.ts. */
import { runEvalCli } from './cli';

runEvalCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`eval:detect failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
