import { describe, expect, it } from 'vitest';
import { converse } from './exec.ts';

// A program that answers each line with one line, as `ip -j -batch -` does.
const ECHO_UPPER = [process.execPath, '-e', `require('readline').createInterface({ input: process.stdin }).on('line', (l) => { if (l === 'die') { process.stderr.write('told to die'); process.exit(3); } process.stdout.write(l.toUpperCase() + '\\n'); })`];

describe('converse', () => {
  it('answers each question with the next line, in order, however the output is chunked', async () => {
    const c = converse(ECHO_UPPER);
    const answers = await Promise.all(['a', 'b', 'c'].map((q) => c.ask(q)));
    expect(answers).toEqual(['A', 'B', 'C']);
    expect(await c.ask('again')).toBe('AGAIN');
    await c.close();
  });

  it('rejects what is waiting, with the program stderr, when the program ends first', async () => {
    const c = converse(ECHO_UPPER);
    await expect(c.ask('die')).rejects.toThrow(/ended \(exit 3\) before answering: told to die/);
    await expect(c.ask('later')).rejects.toThrow(/exit 3/);
    await c.close();
  });

  it('ends the conversation when a question gets no answer in time (later answers would be misattributed)', async () => {
    const c = converse([process.execPath, '-e', 'process.stdin.resume()'], { answerTimeoutMs: 200 });
    await expect(c.ask('anything')).rejects.toThrow(/gave no answer to "anything" within 0.2 s/);
    await expect(c.ask('more')).rejects.toThrow(/gave no answer/);
    await c.close();
  });

  it('rejects when the program cannot run at all', async () => {
    const c = converse(['/nonexistent/program']);
    await expect(c.ask('x')).rejects.toThrow(/could not run/);
    await c.close();
  });
});
