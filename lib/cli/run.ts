export const SUITE_NAMES = ['bgp-convergence'];
export async function runLab(_o: unknown): Promise<number> { return 1; }
