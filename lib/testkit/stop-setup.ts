// A setup file of every `netproof run`/`test`: once the run has been asked to stop (Ctrl-C or
// SIGTERM on a lab that stays), each check not yet begun is skipped, while the one under way
// finishes and undoes its fault. vitest's own cancel would reject the check under way at once
// and let its worker be closed with the fault still applied.
import { existsSync } from 'node:fs';
import { beforeEach } from 'vitest';
import { STOP_FILE_ENV } from './settings.ts';

beforeEach(({ skip }) => {
  const file = process.env[STOP_FILE_ENV];
  if (file && existsSync(file)) skip("not run: the run was interrupted (Ctrl-C or SIGTERM) and stopped after the check under way");
});
