import { describe, expect, it } from 'vitest';
import { splitExecLine } from './exec-line.ts';

describe('splitExecLine', () => {
  it('splits a plain command into words', () => {
    expect(splitExecLine('ip addr add 10.0.0.1/24 dev eth1')).toEqual({ argv: ['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'eth1'] });
  });

  it('keeps quoted words together and drops the quotes', () => {
    expect(splitExecLine(`echo "a b" 'c d'`)).toEqual({ argv: ['echo', 'a b', 'c d'] });
  });

  it('keeps a single-quoted $ literal: nothing is expanded', () => {
    expect(splitExecLine(`echo '$HOME'`)).toEqual({ argv: ['echo', '$HOME'] });
  });

  it.each([
    ['a pipe', 'ip link | grep eth1', /shell operator "\|"/],
    ['an output redirection', 'echo hi > /tmp/x', /shell operator ">"/],
    ['an input redirection', 'cat < /tmp/x', /shell operator "<"/],
    ['a command list', 'ip link; ip addr', /shell operator ";"/],
    ['an and-list', 'true && false', /shell operator "&&"/],
    ['a background job', 'sleep 1 &', /shell operator "&"/],
    ['a subshell', 'echo $(id)', /shell operator/],
    ['a variable', 'echo $HOME', /shell variable \$HOME/],
    ['a braced variable', 'echo ${LAB}', /shell variable \$LAB/],
    ['a variable in double quotes', 'echo "$LAB"', /shell variable \$LAB/],
    ['a glob', 'ls /tmp/*', /glob "\/tmp\/\*"/],
    ['a comment', 'echo hi # there', /comment/],
  ])('refuses %s', (_what, line, message) => {
    const r = splitExecLine(line);
    expect(r).not.toHaveProperty('argv');
    expect(r).toHaveProperty('error', expect.stringMatching(message));
  });

  it('says why a shell construct is refused: there is no shell', () => {
    expect(splitExecLine('a | b')).toEqual({ error: expect.stringContaining('without a shell') });
  });

  it.each(['', '   '])('refuses an empty line (%j)', (line) => {
    expect(splitExecLine(line)).toEqual({ error: 'is empty' });
  });
});
