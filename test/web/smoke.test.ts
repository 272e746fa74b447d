// The three pages are served by every node of the running demo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demo, launchBrowser, newContext, watchErrors, webSkip } from './browser';

describe.skipIf(webSkip())('the web pages are served by the demo nodes', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the console loads on each node and shows its sign-in form', async () => {
    for (const company of Object.values(demo().companies)) {
      const context = await newContext(browser, 'desktop');
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${company.url}/console/`);
      // (the form is drawn by the console's script: wait for it, isVisible() alone does not)
      await page.getByLabel('Username').waitFor({ state: 'visible', timeout: 20_000 });
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
