// Two mends to the single-file page Allure 3 (3.18.0) writes, so that it opens the same way every
// time, from disk, with no network:
// - Its embedded report data comes after the app's script, and the app asks for data as soon as
//   it starts: when the browser has not yet parsed the data (megabytes of it, on a busy machine)
//   the app fetches widgets/*.json from beside the file instead, which a file:// page may not do,
//   and the page spins forever. The data goes before the app, so it is there when the app starts.
// - It loads Google's analytics script; a conformance report opened by an auditor calls no one.
// Each mend is skipped when Allure's page no longer has the shape it was written for, and
// `mendsApplied` says which took, so a test notices an Allure upgrade that changes it.

const APP_SCRIPT = /<script\s+src="data:text\/javascript;base64,/;
const DATA_READY_FALSE = 'window.allureReportDataReady = false';
const ANALYTICS_LOADER = '<script async src="https://www.googletagmanager.com/';
const ANALYTICS_CONFIG = "gtag('config'";

export interface MendedPage {
  html: string;
  /** Which mends took: the data moved before the app; the analytics scripts removed. */
  mendsApplied: { dataBeforeApp: boolean; analyticsRemoved: boolean };
}

/** The embedded data moved before the app's script (see the file's comment). */
function dataBeforeApp(html: string): string | undefined {
  const app = html.search(APP_SCRIPT);
  const marker = html.lastIndexOf(DATA_READY_FALSE);
  const end = html.lastIndexOf('</body>');
  if (app < 0 || marker < 0 || end < marker) return undefined;
  const start = html.lastIndexOf('<script', marker);
  if (start < app) return undefined;
  const data = html.slice(start, end);
  return html.slice(0, app) + data + html.slice(app, start) + html.slice(end);
}

/** The page without its analytics loader and the inline script that configures it. */
function withoutAnalytics(html: string): string | undefined {
  const start = html.indexOf(ANALYTICS_LOADER);
  if (start < 0) return undefined;
  const config = html.indexOf(ANALYTICS_CONFIG, start);
  const close = config < 0 ? -1 : html.indexOf('</script>', config);
  if (close < 0) return undefined;
  return html.slice(0, start) + html.slice(close + '</script>'.length);
}

export function mendAllurePage(html: string): MendedPage {
  const moved = dataBeforeApp(html);
  const quiet = withoutAnalytics(moved ?? html);
  return { html: quiet ?? moved ?? html, mendsApplied: { dataBeforeApp: moved !== undefined, analyticsRemoved: quiet !== undefined } };
}
