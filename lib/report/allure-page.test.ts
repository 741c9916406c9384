import { describe, expect, test } from 'vitest';
import { mendAllurePage } from './allure-page.ts';

// The shape of Allure 3.18.0's single-file page, cut down to the parts the mends move.
const PAGE = `<!DOCTYPE html><html><head><title> r </title></head>
<body>
    <div id="app"></div>
    <script   src="data:text/javascript;base64,QVBQ"></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-X', {
          "report": "awesome"
        });
    </script>
    <script async>
      window.allureReportDataReady = false;
      window.allureReportData = window.allureReportData || {};
    </script>
    <script defer>
      Promise.allSettled([d("widgets/tree.json","e30=")]).then(function(){ window.allureReportDataReady = true; })
    </script>
</body>
</html>
`;

describe('mendAllurePage', () => {
  test('puts the embedded data before the app and drops the analytics, keeping everything else', () => {
    const { html, mendsApplied } = mendAllurePage(PAGE);
    expect(mendsApplied).toEqual({ dataBeforeApp: true, analyticsRemoved: true });
    expect(html.indexOf('allureReportDataReady = false')).toBeLessThan(html.indexOf('base64,QVBQ'));
    expect(html.indexOf('allureReportDataReady = true')).toBeLessThan(html.indexOf('base64,QVBQ'));
    expect(html).not.toMatch(/googletagmanager|gtag|dataLayer/);
    expect(html).toMatch(/<div id="app"><\/div>[\s\S]*<\/script>\s*<\/body>\s*<\/html>\s*$/);
    // Nothing lost but the analytics: every other script is still there, once.
    const scripts = (s: string) => s.match(/<script/g)?.length ?? 0;
    expect(scripts(html)).toBe(scripts(PAGE) - 2);
  });

  test('leaves a page of another shape as it is, and says so', () => {
    const other = '<html><body><script src="app.js"></script></body></html>';
    expect(mendAllurePage(other)).toEqual({ html: other, mendsApplied: { dataBeforeApp: false, analyticsRemoved: false } });
  });

  test('a page already mended stays as it is', () => {
    const once = mendAllurePage(PAGE).html;
    expect(mendAllurePage(once)).toEqual({ html: once, mendsApplied: { dataBeforeApp: false, analyticsRemoved: false } });
  });
});
