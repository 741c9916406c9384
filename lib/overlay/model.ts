// moved to lib/model/overlay.ts; kept for suites/fixtures until they move
export * from '../model/overlay.ts';
