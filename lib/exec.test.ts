import { describe, expect, it } from 'vitest';
import { converse, keptConversation } from './exec.ts';

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

describe('keptConversation', () => {
  const counting = () => {
    const opened: ReturnType<typeof converse>[] = [];
    return { opened, open: () => (opened.push(converse(ECHO_UPPER)), opened.at(-1)!) };
  };

  it('opens the program on the first question and keeps it for the next ones', async () => {
    const { opened, open } = counting();
    const c = keptConversation(open, 10_000);
    expect(opened).toHaveLength(0);
    expect(await Promise.all(['a', 'b'].map((q) => c.ask(q)))).toEqual(['A', 'B']);
    expect(await c.ask('c')).toBe('C');
    expect(opened).toHaveLength(1);
    await c.close();
    expect(opened[0]!.ended).toBe(true);
  });

  it('opens a new program after one ended on a line it refused', async () => {
    const { opened, open } = counting();
    const c = keptConversation(open, 10_000);
    await expect(c.ask('die')).rejects.toThrow(/exit 3/);
    expect(await c.ask('after')).toBe('AFTER');
    expect(opened).toHaveLength(2);
    await c.close();
  });

  it('closes the program once idle, and opens another when asked again', async () => {
    const { opened, open } = counting();
    const c = keptConversation(open, 50);
    expect(await c.ask('x')).toBe('X');
    await expect.poll(() => opened[0]!.ended, { timeout: 5_000 }).toBe(true);
    expect(await c.ask('y')).toBe('Y');
    expect(opened).toHaveLength(2);
    await c.close();
  });
});
