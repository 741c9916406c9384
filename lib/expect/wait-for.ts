// moved to lib/wait-for.ts; kept for suites/fixtures until they move
export * from '../wait-for.ts';
