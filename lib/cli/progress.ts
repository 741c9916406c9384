// Progress of long steps: a spinner on a terminal, nothing in CI or when piped
// (silent when stderr is not a terminal or CI is set; results are printed by the command).
import ora, { type Ora } from 'ora';

export interface ProgressLine {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export function progress(text: string): ProgressLine {
  const interactive = Boolean(process.stderr.isTTY) && !('CI' in process.env);
  // netproof never reads stdin: leave it alone (ora would otherwise put the terminal in raw mode).
  const spinner: Ora = ora({ text, stream: process.stderr, isSilent: !interactive, discardStdin: false }).start();
  const started = performance.now();
  const took = () => `(${((performance.now() - started) / 1000).toFixed(1)} s)`;
  return {
    update: (t) => {
      spinner.text = `${text}: ${t}`;
    },
    succeed: (t) => {
      spinner.succeed(`${t} ${took()}`);
    },
    fail: (t) => {
      spinner.fail(t);
    },
  };
}
