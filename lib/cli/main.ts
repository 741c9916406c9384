#!/usr/bin/env node
// netproof: deploy containerlab topologies on real FRR and assert how they behave.
// Exit codes: 0 all passed · 1 a check failed · 2 bad input or usage · 3 environment problem.
import { main } from './program.ts';

process.exitCode = await main(process.argv);
