/**
 * How the benchmarks start the server: as `npm start` does, with the same heap bound (see
 * package.json and docs/performance.md), in its own process.
 */
export const SERVER_ARGS = ['--max-old-space-size=192', '--import', 'tsx', 'server/main.ts'];
